"""Work items in the API: the page's filters, the page's services, the page's rules, as JSON.

serializers  how an item, its timeline and the actions' inputs read and write
views        the item viewset: list, detail, create, edit and every lifecycle action
"""
