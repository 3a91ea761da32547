"""Report stage: tables, figures, spreadsheets and HTML in Korean or English."""
