"""Survey stage: read and validate the demand survey (Korean/English headers) into a survey table."""
