"""Where the credit-file export goes: S3 on AWS, a folder on a laptop (the ExportSink port)."""
