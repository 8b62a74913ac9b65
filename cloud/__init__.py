"""AWS adapters of the lakehouse ports, built on boto3."""
