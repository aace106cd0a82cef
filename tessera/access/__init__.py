"""Who is asking (identity) and what they may see or do (policy): decided here, nowhere else."""
