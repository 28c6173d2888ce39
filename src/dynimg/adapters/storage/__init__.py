"""Object storage backends, chosen by URL (``file://`` now; ``s3://`` comes later)."""
