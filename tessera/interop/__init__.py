"""What forensic tools speak: Project VIC VICS JSON and plain hash lists, read as streams of
records and written back. Pure: no database; ``service.hashsets`` stores what these read."""
