"""Factories for everything the named people in tests/base.py do not cover."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from forums.models import Category
from participation.models import Agency, Official, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.kz")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    preferred_language = "kk"
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    kind = Agency.Kind.CITY_AKIMAT
    slug = factory.Sequence(lambda n: f"agency-{n}")
    name_kk = factory.Sequence(lambda n: f"{n}-әкімдік")
    name_ru = factory.Sequence(lambda n: f"Акимат №{n}")
    name_en = factory.Sequence(lambda n: f"Akimat No. {n}")


class OfficialFactory(factory.django.DjangoModelFactory[Official]):
    class Meta:
        model = Official

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    slug = factory.Sequence(lambda n: f"official-{n}")
    name_kk = factory.Sequence(lambda n: f"Шенеунік {n}")
    name_ru = factory.Sequence(lambda n: f"Чиновник {n}")
    name_en = factory.Sequence(lambda n: f"Official {n}")
    position_kk = "Әкім"
    position_ru = "Аким"
    position_en = "Akim"


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    kind = Category.Kind.TOPIC
    slug = factory.Sequence(lambda n: f"category-{n}")
    name_kk = factory.Sequence(lambda n: f"Санат {n}")
    name_ru = factory.Sequence(lambda n: f"Раздел {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
