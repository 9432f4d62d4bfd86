from django.core.management.base import BaseCommand

from cooperation.contract_docs import DOC, render


class Command(BaseCommand):
    help = "Regenerate the parameter and column tables of docs/csv.md from the declarations."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only say whether it is stale.")

    def handle(self, *args, check=False, **options):
        text = DOC.read_text(encoding="utf-8")
        fresh = render(text)
        if fresh == text:
            self.stdout.write("docs/csv.md is up to date.")
        elif check:
            raise SystemExit("docs/csv.md is stale: run `python manage.py contract_docs`.")
        else:
            DOC.write_text(fresh, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS("docs/csv.md rewritten."))
