from django.db import models


class Hit(models.Model):
    key = models.CharField(max_length=40, db_index=True)
    at = models.DateTimeField()
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.key
