app_name = "formbuilder"

urlpatterns: list = []
