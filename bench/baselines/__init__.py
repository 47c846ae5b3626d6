"""The alternatives our api handler is measured against; they live here and nowhere else."""
