"""Real places on the smuggling routes, with approximate coordinates (curated, public geography)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    """A named real place: station, beach, border crossing, landing point..."""

    id: str
    name: str
    city: str
    country: str
    lat: float
    lon: float
    place_type: str


_RAW: tuple[tuple[str, str, str, str, float, float, str], ...] = (
    # Turkey, Eastern Mediterranean and Black Sea departures
    ("IST_AKS", "Aksaray district", "Istanbul", "TR", 41.0106, 28.9530, "safe_house"),
    ("IST_ESE", "Esenler coach station", "Istanbul", "TR", 41.0386, 28.8914, "coach_station"),
    ("IST_APT", "Istanbul Airport", "Istanbul", "TR", 41.2753, 28.7519, "airport"),
    ("IZM_BAS", "Basmane station", "Izmir", "TR", 38.4233, 27.1453, "station"),
    ("TR_AYV", "Ayvalik coast", "Ayvalik", "TR", 39.3185, 26.6934, "departure_beach"),
    ("TR_BEH", "Behramkale coast", "Ayvacik", "TR", 39.4870, 26.3360, "departure_beach"),
    ("TR_CES", "Cesme peninsula", "Cesme", "TR", 38.3236, 26.3029, "departure_beach"),
    ("TR_DIK", "Dikili coast", "Dikili", "TR", 39.0714, 26.8892, "departure_beach"),
    ("TR_BOD", "Bodrum peninsula", "Bodrum", "TR", 37.0344, 27.4305, "departure_beach"),
    ("TR_DID", "Didim coast", "Didim", "TR", 37.3756, 27.2681, "departure_beach"),
    ("TR_EDI", "Edirne coach station", "Edirne", "TR", 41.6771, 26.5557, "coach_station"),
    ("TR_IGN", "Igneada coast", "Igneada", "TR", 41.8833, 27.9833, "departure_beach"),
    # Greece
    ("GR_LES", "Mytilene port", "Mytilene", "GR", 39.1045, 26.5547, "landing_point"),
    ("GR_SKA", "Skala Sykamineas", "Lesvos", "GR", 39.3680, 26.3114, "landing_point"),
    ("GR_CHI", "Chios port", "Chios", "GR", 38.3709, 26.1360, "landing_point"),
    ("GR_SAM", "Vathy port", "Samos", "GR", 37.7549, 26.9769, "landing_point"),
    ("GR_KOS", "Kos town port", "Kos", "GR", 36.8935, 27.2881, "landing_point"),
    ("GR_PIR", "Piraeus port", "Piraeus", "GR", 37.9420, 23.6465, "port"),
    ("GR_VIC", "Victoria Square", "Athens", "GR", 37.9929, 23.7303, "hotel"),
    ("GR_ATH_APT", "Athens International Airport", "Athens", "GR", 37.9364, 23.9445, "airport"),
    ("GR_THE", "Thessaloniki railway station", "Thessaloniki", "GR", 40.6443, 22.9286, "station"),
    ("GR_KAS", "Kastanies border area", "Kastanies", "GR", 41.6597, 26.4825, "border_crossing"),
    ("GR_FER", "Feres, Evros river", "Feres", "GR", 40.8958, 26.1722, "border_crossing"),
    ("GR_ALX", "Alexandroupoli station", "Alexandroupoli", "GR", 40.8476, 25.8744, "station"),
    ("GR_IDO", "Idomeni", "Idomeni", "GR", 41.1225, 22.5136, "border_crossing"),
    ("GR_EVZ", "Evzonoi border crossing", "Evzonoi", "GR", 41.1192, 22.5525, "border_crossing"),
    # Bulgaria, Romania
    (
        "BG_KAP",
        "Kapitan Andreevo border crossing",
        "Kapitan Andreevo",
        "BG",
        41.7178,
        26.3164,
        "border_crossing",
    ),
    ("BG_SVI", "Svilengrad", "Svilengrad", "BG", 41.7667, 26.2000, "service_area"),
    ("BG_SOF", "Sofia central station", "Sofia", "BG", 42.7115, 23.3210, "station"),
    ("BG_KAL", "Kalotina border crossing", "Kalotina", "BG", 42.9869, 22.8706, "border_crossing"),
    ("BG_BUR", "Burgas port", "Burgas", "BG", 42.4975, 27.4706, "landing_point"),
    ("RO_CON", "Constanta port", "Constanta", "RO", 44.1733, 28.6383, "landing_point"),
    ("RO_MAN", "Mangalia", "Mangalia", "RO", 43.8167, 28.5833, "landing_point"),
    ("RO_BUC", "Gara de Nord", "Bucharest", "RO", 44.4467, 26.0750, "station"),
    ("RO_TIM", "Timisoara Nord station", "Timisoara", "RO", 45.7500, 21.2083, "station"),
    ("RO_NAD", "Nadlac border crossing", "Nadlac", "RO", 46.1667, 20.7500, "border_crossing"),
    # Western Balkans
    ("MK_GEV", "Gevgelija", "Gevgelija", "MK", 41.1392, 22.5025, "border_crossing"),
    ("MK_TAB", "Tabanovce", "Tabanovce", "MK", 42.2133, 21.7036, "border_crossing"),
    ("RS_PRE", "Presevo", "Presevo", "RS", 42.3092, 21.6492, "border_crossing"),
    ("RS_BEL", "Belgrade bus station", "Belgrade", "RS", 44.8097, 20.4561, "coach_station"),
    ("RS_BPK", "Park near Belgrade main station", "Belgrade", "RS", 44.8086, 20.4575, "other"),
    ("RS_SUB", "Subotica", "Subotica", "RS", 46.1000, 19.6658, "station"),
    ("RS_HOR", "Horgos border crossing", "Horgos", "RS", 46.1561, 19.9744, "border_crossing"),
    ("RS_KEL", "Kelebija border crossing", "Kelebija", "RS", 46.1700, 19.6100, "border_crossing"),
    ("RS_SID", "Sid", "Sid", "RS", 45.1286, 19.2267, "station"),
    ("HU_ROS", "Roszke", "Roszke", "HU", 46.1867, 20.0386, "border_crossing"),
    ("HU_ASO", "Asotthalom", "Asotthalom", "HU", 46.1986, 19.7836, "border_crossing"),
    ("HU_BUD", "Budapest Keleti station", "Budapest", "HU", 47.5003, 19.0839, "station"),
    ("HU_HEG", "Hegyeshalom", "Hegyeshalom", "HU", 47.9149, 17.1587, "border_crossing"),
    ("BA_BIJ", "Bijeljina", "Bijeljina", "BA", 44.7569, 19.2144, "coach_station"),
    ("BA_SAR", "Sarajevo bus station", "Sarajevo", "BA", 43.8563, 18.4131, "coach_station"),
    ("BA_BIH", "Bihac", "Bihac", "BA", 44.8169, 15.8708, "safe_house"),
    ("BA_VKL", "Velika Kladusa", "Velika Kladusa", "BA", 45.1842, 15.8053, "safe_house"),
    ("HR_MAL", "Maljevac border crossing", "Maljevac", "HR", 45.1930, 15.7900, "border_crossing"),
    ("HR_ZAG", "Zagreb main station", "Zagreb", "HR", 45.8048, 15.9785, "station"),
    ("SI_LJU", "Ljubljana station", "Ljubljana", "SI", 46.0578, 14.5109, "station"),
    ("IT_TRS", "Trieste station", "Trieste", "IT", 45.6570, 13.7720, "station"),
    # Austria, Germany and other destinations
    ("AT_VIE", "Wien Hauptbahnhof", "Vienna", "AT", 48.1853, 16.3760, "station"),
    ("DE_PAS", "Passau", "Passau", "DE", 48.5665, 13.4312, "border_crossing"),
    ("DE_MUC", "Muenchen Hauptbahnhof", "Munich", "DE", 48.1402, 11.5600, "station"),
    ("DE_BER", "Berlin Hauptbahnhof", "Berlin", "DE", 52.5251, 13.3694, "station"),
    ("DE_ZOB", "ZOB Berlin", "Berlin", "DE", 52.5073, 13.2790, "coach_station"),
    ("DE_FRA", "Frankfurt Hauptbahnhof", "Frankfurt am Main", "DE", 50.1071, 8.6636, "station"),
    ("DE_FRA_APT", "Frankfurt Airport", "Frankfurt am Main", "DE", 50.0379, 8.5622, "airport"),
    ("DE_HAM", "Hamburg Hauptbahnhof", "Hamburg", "DE", 53.5528, 10.0067, "station"),
    ("DE_FFO", "Frankfurt (Oder)", "Frankfurt (Oder)", "DE", 52.3471, 14.5506, "border_crossing"),
    ("SE_STO", "Stockholm Central", "Stockholm", "SE", 59.3303, 18.0586, "station"),
    ("SE_MAL", "Malmo Central", "Malmo", "SE", 55.6090, 13.0004, "station"),
    ("NL_AMS", "Amsterdam Centraal", "Amsterdam", "NL", 52.3791, 4.9003, "station"),
    ("NL_SPL", "Amsterdam Schiphol Airport", "Haarlemmermeer", "NL", 52.3105, 4.7683, "airport"),
    ("BE_BRN", "Bruxelles-Nord", "Brussels", "BE", 50.8603, 4.3617, "station"),
    ("BE_BRU_APT", "Brussels Airport", "Zaventem", "BE", 50.9014, 4.4844, "airport"),
    ("BE_ZEE", "Zeebrugge port lorry park", "Zeebrugge", "BE", 51.3297, 3.2064, "service_area"),
    ("FR_PGN", "Paris Gare du Nord", "Paris", "FR", 48.8809, 2.3553, "station"),
    ("FR_CDG", "Paris Charles de Gaulle Airport", "Roissy", "FR", 49.0097, 2.5479, "airport"),
    ("FR_CAL", "Calais coast", "Calais", "FR", 50.9513, 1.8587, "departure_beach"),
    ("FR_GSY", "Grande-Synthe", "Dunkirk", "FR", 51.0133, 2.3031, "safe_house"),
    ("FR_GRA", "Gravelines beach", "Gravelines", "FR", 50.9867, 2.1281, "departure_beach"),
    ("FR_WIM", "Wimereux beach", "Wimereux", "FR", 50.7697, 1.6111, "departure_beach"),
    ("FR_HEN", "Hendaye station", "Hendaye", "FR", 43.3530, -1.7820, "station"),
    ("FR_MEN", "Menton Garavan", "Menton", "FR", 43.7820, 7.5170, "border_crossing"),
    ("UK_DOV", "Dover", "Dover", "GB", 51.1279, 1.3134, "landing_point"),
    ("UK_FOL", "Folkestone", "Folkestone", "GB", 51.0814, 1.1695, "landing_point"),
    ("UK_DUN", "Dungeness", "Dungeness", "GB", 50.9140, 0.9760, "landing_point"),
    ("UK_LON", "Victoria Coach Station", "London", "GB", 51.4952, -0.1441, "coach_station"),
    ("UK_LHR", "London Heathrow Airport", "London", "GB", 51.4700, -0.4543, "airport"),
    # Central Mediterranean
    ("NE_AGA", "Agadez bus station", "Agadez", "NE", 16.9742, 7.9865, "coach_station"),
    ("SD_KHA", "Khartoum", "Khartoum", "SD", 15.5007, 32.5599, "coach_station"),
    ("LY_SAB", "Sabha", "Sabha", "LY", 27.0377, 14.4283, "safe_house"),
    ("LY_KUF", "Kufra", "Kufra", "LY", 24.1833, 23.2833, "safe_house"),
    ("LY_BWA", "Bani Walid", "Bani Walid", "LY", 31.7566, 13.9942, "safe_house"),
    ("LY_TRI", "Tripoli", "Tripoli", "LY", 32.8872, 13.1913, "safe_house"),
    ("LY_ZUW", "Zuwara beach", "Zuwara", "LY", 32.9312, 12.0819, "departure_beach"),
    ("LY_SBR", "Sabratha beach", "Sabratha", "LY", 32.7933, 12.4885, "departure_beach"),
    ("LY_ZAW", "Zawiya coast", "Zawiya", "LY", 32.7571, 12.7278, "departure_beach"),
    ("LY_GAR", "Garabulli beach", "Garabulli", "LY", 32.7539, 13.7175, "departure_beach"),
    ("LY_TOB", "Tobruk port", "Tobruk", "LY", 32.0836, 23.9764, "port"),
    ("TN_SFX", "Sfax coast", "Sfax", "TN", 34.7406, 10.7603, "departure_beach"),
    ("TN_ZAR", "Zarzis", "Zarzis", "TN", 33.5039, 11.1122, "departure_beach"),
    ("IT_LMP", "Lampedusa port", "Lampedusa", "IT", 35.5061, 12.6044, "landing_point"),
    ("IT_POZ", "Pozzallo port", "Pozzallo", "IT", 36.7241, 14.8466, "landing_point"),
    ("IT_AUG", "Augusta port", "Augusta", "IT", 37.2224, 15.2196, "landing_point"),
    ("IT_RCA", "Reggio Calabria port", "Reggio Calabria", "IT", 38.1100, 15.6470, "landing_point"),
    ("IT_ROC", "Roccella Ionica", "Roccella Ionica", "IT", 38.3228, 16.4011, "landing_point"),
    ("MT_HAL", "Hay Wharf", "Floriana", "MT", 35.8930, 14.5050, "landing_point"),
    ("IT_CAT", "Catania central station", "Catania", "IT", 37.5066, 15.1010, "station"),
    ("IT_ROM", "Roma Termini", "Rome", "IT", 41.9010, 12.5016, "station"),
    ("IT_MIL", "Milano Centrale", "Milan", "IT", 45.4862, 9.2046, "station"),
    ("IT_VEN", "Ventimiglia station", "Ventimiglia", "IT", 43.7906, 7.6083, "station"),
    ("IT_COM", "Como San Giovanni", "Como", "IT", 45.8097, 9.0737, "station"),
    ("IT_BRE", "Brennero", "Brenner", "IT", 47.0028, 11.5056, "border_crossing"),
    # Western Mediterranean and Western African (Atlantic)
    ("MA_OUJ", "Oujda", "Oujda", "MA", 34.6814, -1.9086, "safe_house"),
    ("DZ_MAG", "Maghnia", "Maghnia", "DZ", 34.8500, -1.7333, "safe_house"),
    ("MA_NAD", "Nador coast", "Nador", "MA", 35.1681, -2.9335, "departure_beach"),
    ("MA_TNG", "Tangier coast", "Tangier", "MA", 35.7595, -5.8340, "departure_beach"),
    ("MA_HOC", "Al Hoceima coast", "Al Hoceima", "MA", 35.2517, -3.9372, "departure_beach"),
    ("DZ_ORA", "Oran coast", "Oran", "DZ", 35.6971, -0.6308, "departure_beach"),
    ("ES_MEL", "Melilla", "Melilla", "ES", 35.2923, -2.9381, "border_crossing"),
    ("ES_CEU", "Ceuta", "Ceuta", "ES", 35.8894, -5.3213, "border_crossing"),
    ("ES_ALM", "Almeria port", "Almeria", "ES", 36.8340, -2.4637, "landing_point"),
    ("ES_MOT", "Motril port", "Motril", "ES", 36.7204, -3.5200, "landing_point"),
    ("ES_ALG", "Algeciras port", "Algeciras", "ES", 36.1408, -5.4562, "landing_point"),
    ("ES_MAD", "Estacion Sur de Autobuses", "Madrid", "ES", 40.3947, -3.6890, "coach_station"),
    ("ES_MAD_APT", "Madrid Barajas Airport", "Madrid", "ES", 40.4983, -3.5676, "airport"),
    ("ES_IRU", "Irun station", "Irun", "ES", 43.3390, -1.7896, "station"),
    ("SN_DAK", "Dakar port", "Dakar", "SN", 14.6928, -17.4467, "port"),
    ("SN_MBO", "Mbour beach", "Mbour", "SN", 14.4167, -16.9667, "departure_beach"),
    ("SN_STL", "Saint-Louis beach", "Saint-Louis", "SN", 16.0179, -16.4896, "departure_beach"),
    ("MR_NDB", "Nouadhibou", "Nouadhibou", "MR", 20.9310, -17.0347, "departure_beach"),
    ("MA_DAK", "Dakhla coast", "Dakhla", "MA", 23.6848, -15.9580, "departure_beach"),
    ("MA_TAR", "Tarfaya coast", "Tarfaya", "MA", 27.9380, -12.9210, "departure_beach"),
    ("ES_ARG", "Arguineguin port", "Gran Canaria", "ES", 27.7588, -15.6813, "landing_point"),
    ("ES_RES", "La Restinga port", "El Hierro", "ES", 27.6428, -17.9811, "landing_point"),
    ("ES_LCR", "Los Cristianos port", "Tenerife", "ES", 28.0500, -16.7167, "landing_point"),
    ("ES_ARR", "Arrecife port", "Lanzarote", "ES", 28.9630, -13.5477, "landing_point"),
    ("ES_LPA", "Las Palmas airport", "Gran Canaria", "ES", 27.9319, -15.3866, "airport"),
    # Eastern land borders and Nordic/Arctic
    ("BY_MIN", "Minsk passenger station", "Minsk", "BY", 53.8910, 27.5500, "station"),
    ("BY_BRE", "Brest", "Brest", "BY", 52.0976, 23.7341, "station"),
    ("BY_GRO", "Grodno", "Grodno", "BY", 53.6778, 23.8297, "station"),
    ("PL_KUZ", "Kuznica border area", "Kuznica", "PL", 53.5100, 23.6500, "border_crossing"),
    ("PL_BIA", "Bialowieza forest", "Bialowieza", "PL", 52.7000, 23.8500, "border_crossing"),
    ("LT_MED", "Medininkai", "Medininkai", "LT", 54.5406, 25.6517, "border_crossing"),
    ("PL_BST", "Bialystok station", "Bialystok", "PL", 53.1325, 23.1688, "station"),
    ("LT_VIL", "Vilnius bus station", "Vilnius", "LT", 54.6872, 25.2797, "coach_station"),
    ("PL_WAW", "Warszawa Zachodnia", "Warsaw", "PL", 52.2197, 20.9652, "coach_station"),
    ("RU_MOS", "Belorussky station", "Moscow", "RU", 55.7766, 37.5815, "station"),
    ("RU_MUR", "Murmansk", "Murmansk", "RU", 68.9585, 33.0827, "station"),
    ("RU_SPB", "Saint Petersburg Finlyandsky station", "Saint Petersburg", "RU", 59.9558, 30.3561, "station"),
    ("NO_STO", "Storskog border crossing", "Storskog", "NO", 69.6611, 30.1244, "border_crossing"),
    ("NO_KIR", "Kirkenes", "Kirkenes", "NO", 69.7269, 30.0456, "coach_station"),
    ("NO_OSL", "Oslo bus terminal", "Oslo", "NO", 59.9111, 10.7580, "coach_station"),
    ("FI_VAA", "Vaalimaa border crossing", "Vaalimaa", "FI", 60.5944, 27.8111, "border_crossing"),
    ("FI_SAL", "Salla border crossing", "Salla", "FI", 66.8325, 28.6700, "border_crossing"),
    ("FI_HEL", "Helsinki central station", "Helsinki", "FI", 60.1719, 24.9414, "station"),
    # Origins and air hubs
    ("SY_ALE", "Aleppo", "Aleppo", "SY", 36.2021, 37.1343, "residence"),
    ("IQ_ERB", "Erbil", "Erbil", "IQ", 36.1911, 44.0092, "residence"),
    ("MA_CAS", "Casablanca airport", "Casablanca", "MA", 33.3675, -7.5898, "airport"),
)

PLACES: dict[str, Place] = {r[0]: Place(*r) for r in _RAW}
PLACE_IDS: tuple[str, ...] = tuple(PLACES)
PLACE_INDEX: dict[str, int] = {pid: i for i, pid in enumerate(PLACE_IDS)}

#: Countries counted as EU (plus Schengen partners) for the hotspot split.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


def place(pid: str) -> Place:
    """The place of that id."""
    return PLACES[pid]
