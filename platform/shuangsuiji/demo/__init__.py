"""Generated, realistic demo data: directories as the files regulators' systems export."""
