"""The `mare` command as a spark-submit application (spark-submit runs a .py file, not an entry point).

    spark-submit --properties-file docs/spark/mare-spark.conf \
      --jars "$(python -c 'from splink.backends.spark import similarity_jar_location as j; print(j())')" \
      docs/spark/mare_job.py crosscheck --engine spark --home /srv/mare
"""

from mare.cli.main import app

if __name__ == "__main__":
    app()
