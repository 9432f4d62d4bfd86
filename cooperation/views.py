from django.http import HttpResponse


def home(request):
    return HttpResponse("Cooperation catalogue")


def placeholder(request, **kwargs):
    return HttpResponse("Not built yet", status=501)
