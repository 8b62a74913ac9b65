"""An AWS-compatible endpoint on one port: S3 (moto in process, or an external S3), and
Glue, Athena and DataBrew over their wire protocols, executed by the platform's engines."""
