"""One small interface per AWS role; implementations live in emulation/ and cloud/."""
