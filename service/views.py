from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def queue(request):
    return render(request, "service/queue.html", {})


@login_required
def engineer(request):
    return render(request, "service/engineer.html", {})
