from tessera.cli import app

app()
