"""Economics stage: capital and operating cost, PFV cash flows, price per GPU-hour."""
