"""Object storage backends, chosen by URL: ``file://`` (local disk) or ``s3://`` (boto3)."""
