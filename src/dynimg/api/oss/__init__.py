"""The OSS-compatible upload front door at ``/{bucket}/{key}``, as Alibaba's upload clients
use it."""
