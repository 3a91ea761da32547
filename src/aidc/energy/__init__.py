"""Energy stage: hourly facility power, cooling, PUE, the electricity bill and carbon."""
