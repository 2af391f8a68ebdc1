"""The fixed data of the demo: names by nationality, staff names, the demo logins."""

from dataclasses import dataclass

from contacts.models import Role

DEMO_PASSWORD = "amvcoord-demo"
DEMO_SCHOOL = "ISK De Brug"

GIVEN_NAMES = {
    "Eritrese": [
        "Abel",
        "Aman",
        "Biniam",
        "Dawit",
        "Filmon",
        "Henok",
        "Merhawi",
        "Robel",
        "Senait",
        "Yonas",
        "Selam",
    ],
    "Syrische": ["Ahmad", "Bilal", "Omar", "Yousef", "Rami", "Karim", "Lina", "Hamza", "Tarek", "Nour"],
    "Afghaanse": ["Ali", "Hamid", "Jawad", "Mustafa", "Sajad", "Farid", "Nasir", "Reza", "Zahra", "Habib"],
    "Somalische": ["Abdi", "Abdirahman", "Hodan", "Mohamed", "Liban", "Farah", "Hamza", "Ayaan", "Idris"],
    "Jemenitische": ["Ammar", "Saleh", "Fahd", "Nabil", "Waleed", "Amal"],
    "Turkse": ["Emre", "Baran", "Deniz", "Kerem", "Mert"],
    "Oekraïense": ["Artem", "Danylo", "Maksym", "Sofiia", "Oleksandr"],
}
FAMILY_NAMES = {
    "Eritrese": ["Tesfay", "Gebremedhin", "Haile", "Kidane", "Tekle", "Berhane", "Mehari", "Ghebre", "Woldu"],
    "Syrische": ["Al-Hassan", "Haddad", "Kassem", "Darwish", "Mansour", "Khalil", "Sabbagh"],
    "Afghaanse": ["Ahmadi", "Rahimi", "Sultani", "Noori", "Hosseini", "Karimi", "Jafari"],
    "Somalische": ["Warsame", "Abdullahi", "Farah", "Hassan", "Osman", "Jama", "Nur"],
    "Jemenitische": ["Al-Sanani", "Saeed", "Qasim", "Al-Amri"],
    "Turkse": ["Yilmaz", "Demir", "Kaya", "Aydin"],
    "Oekraïense": ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko"],
}
LANGUAGES = {
    "Eritrese": "Tigrinya",
    "Syrische": "Arabisch",
    "Afghaanse": "Dari, Pashto",
    "Somalische": "Somalisch",
    "Jemenitische": "Arabisch",
    "Turkse": "Turks, Koerdisch",
    "Oekraïense": "Oekraïens, Russisch",
}
NATIONALITY_WEIGHTS = {
    "Eritrese": 30,
    "Syrische": 25,
    "Afghaanse": 20,
    "Somalische": 12,
    "Jemenitische": 6,
    "Turkse": 4,
    "Oekraïense": 3,
}
STAFF_NAMES = [
    "Anouk de Vries",
    "Bram Jansen",
    "Charlotte Bakker",
    "Daan Visser",
    "Eline Smit",
    "Floor Meijer",
    "Gijs de Boer",
    "Hanna Mulder",
    "Ilse de Groot",
    "Jeroen Bos",
    "Karin Vos",
    "Lars Peters",
    "Marieke Hendriks",
    "Niels van Dijk",
    "Olga Dekker",
    "Pieter Brouwer",
    "Quinten de Wit",
    "Renate Dijkstra",
    "Sanne Smits",
    "Thijs de Graaf",
    "Ursula van der Meer",
    "Vincent van der Linden",
    "Wendy Kok",
    "Yasmina El Amrani",
    "Zeynep Kaya",
    "Ruben Willems",
    "Fatima Bouzid",
    "Khalid Ait Ouali",
    "Samira Haddou",
    "Tom Verbeek",
    "Lotte Kuipers",
    "Mohamed Yusuf",
    "Esther Vermeulen",
    "Joost Prins",
    "Naima Chaouch",
    "Sven Huisman",
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


DEMO_LOGINS = [
    DemoLogin("mentor", Role.MENTOR, "mentor of class 1A at ISK De Brug, locatie Centrum"),
    DemoLogin("zorgcoordinator", Role.CARE_COORDINATOR, "care coordinator of ISK De Brug"),
    DemoLogin("directie", Role.SCHOOL_MANAGEMENT, "school management of ISK De Brug"),
    DemoLogin("woonbegeleider", Role.HOUSING_WORKER, "housing worker at COA Amersfoort Wiekenweg"),
    DemoLogin("locatiemanager", Role.LOCATION_MANAGER, "location manager of COA Amersfoort Wiekenweg"),
    DemoLogin("voogd", Role.GUARDIAN, "Nidos guardian"),
    DemoLogin("teammanager", Role.GUARDIAN_TEAM_MANAGER, "Nidos guardian team manager"),
    DemoLogin("leerplicht", Role.ATTENDANCE_OFFICER, "attendance officer, gemeente Amersfoort"),
    DemoLogin("beheerder", Role.ADMIN, "admin (Django admin, organisations and contact lists)"),
]
