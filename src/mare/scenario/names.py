"""Name pools by language group, with transliteration variants and native script."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# Each entry: "Variant1/Variant2/...|native script"; the first variant is the canonical one.
_POOLS: dict[str, tuple[str, str, str]] = {
    "arab": (
        "Mohammed/Muhammad/Mohamad/Mohamed/Mohammad|محمد;Ahmed/Ahmad|أحمد;Mahmoud/Mahmud|محمود;"
        "Mustafa/Moustafa/Mostafa|مصطفى;Omar/Umar|عمر;Ali|علي;Hassan/Hasan|حسن;"
        "Hussein/Hussain/Husayn|حسين;Khaled/Khalid|خالد;Youssef/Yusuf/Yousef|يوسف;"
        "Ibrahim/Ebrahim|إبراهيم;Abdullah/Abdallah|عبد الله;Tarek/Tariq|طارق;Walid/Waleed|وليد;"
        "Samir/Sameer|سمير;Karim/Kareem|كريم;Jamal/Gamal|جمال;Osama/Usama|أسامة;Bilal|بلال;"
        "Fadi|فادي;Rami|رامي;Ayman/Aiman|أيمن;Hamza|حمزة;Said/Saeed|سعيد",
        "Fatima/Fatma|فاطمة;Aisha/Aysha/Aicha|عائشة;Mariam/Maryam/Meryem|مريم;Noor/Nour/Nur|نور;"
        "Zainab/Zaynab/Zeinab|زينب;Amina/Aminah|أمينة;Layla/Leila/Laila|ليلى;Huda/Hoda|هدى;"
        "Rania/Raniya|رانيا;Salma|سلمى",
        "Al-Hassan/Al Hasan/Alhassan|الحسن;Al-Ahmad/Alahmad|الأحمد;Haddad|حداد;Khalil/Khaleel|خليل;"
        "Al-Khatib/Alkhatib|الخطيب;Hamdan|حمدان;Mansour/Mansur|منصور;Nasser/Nasir|ناصر;"
        "Saleh/Salih|صالح;Al-Hamoud/Alhamoud|الحمود;Al-Masri/Elmasry|المصري;Darwish/Darwich|درويش;"
        "Othman/Osman/Uthman|عثمان;Suleiman/Sulaiman/Slimane|سليمان;Jaber/Jabir|جابر;"
        "El-Amrani/Amrani|العمراني;Benali/Ben Ali|بن علي;Trabelsi/Trabelssi|الطرابلسي;"
        "Al-Obeidi/Obaidi|العبيدي;Al-Jubouri/Jabouri|الجبوري",
    ),
    "kurd": (
        "Aram|ئارام;Karwan|کاروان;Rebin/Rebeen|ڕێبین;Dilshad/Dilshat|دڵشاد;Shwan/Shuan|شوان;"
        "Zana|زانا;Soran|سۆران;Hawre/Hawri|هاوڕێ;Ako|ئاکۆ;Rebwar|ڕێبوار",
        "Shilan/Shelan|شیلان;Avin/Avan|ئاڤین;Jiyan/Zhiyan|ژیان;Berivan|بەریڤان;Rojda|ڕۆژدا",
        "Ahmadi/Ahmedi|ئەحمەدی;Rashid/Rasheed|ڕەشید;Karim/Kareem|کەریم;Hamad Amin/Hama Amin|حەمەد ئەمین;"
        "Mahmoud/Mahmud|مەحموود;Abdulla/Abdullah|عەبدوڵڵا;Qadir/Kadir|قادر;Aziz|عەزیز",
    ),
    "persian": (
        "Mohammad/Mohammed/Muhammad|محمد;Ali|علی;Reza/Rezza|رضا;Hossein/Hussein/Hosein|حسین;"
        "Mehdi/Mahdi|مهدی;Ahmad/Ahmed|احمد;Javad/Jawad|جواد;Hamid|حمید;Farid/Fareed|فرید;"
        "Omid/Omeed|امید;Sayed/Seyed/Sayyid|سید;Naser/Nasir|ناصر",
        "Fatemeh/Fatima|فاطمه;Zahra/Zahraa|زهرا;Maryam/Mariam|مریم;Shirin|شیرین;Parisa|پریسا;"
        "Nazanin|نازنین;Sara/Sarah|سارا",
        "Ahmadi/Ahmedi|احمدی;Hosseini/Husseini/Hoseini|حسینی;Rezaei/Rezaie/Rezai|رضایی;"
        "Mohammadi/Mohamadi|محمدی;Karimi|کریمی;Rahimi|رحیمی;Hashemi|هاشمی;Sadeghi/Sadiqi|صادقی;"
        "Jafari/Jaafari|جعفری;Nazari|نظری;Haidari/Heydari/Haydari|حیدری;Sultani/Soltani|سلطانی;"
        "Noori/Nouri|نوری",
    ),
    "pashto": (
        "Zabihullah/Zabiullah|ذبیح الله;Rahmatullah/Rahmatulla|رحمت الله;Naqibullah|نقیب الله;"
        "Wahid/Waheed|وحید;Jawed/Javed|جاوید;Gul Agha/Gol Agha|ګل آغا;Ahmad Shah|احمد شاه;"
        "Hekmatullah/Hikmatullah|حکمت الله",
        "Malalai/Malalay|ملالۍ;Nazia|نازیه;Shabnam|شبنم;Palwasha|پلوشه",
        "Khan|خان;Stanikzai/Stanekzai|ستانکزی;Popalzai|پوپلزی;Yousafzai/Yusufzai|یوسفزی;"
        "Zadran|ځدراڼ;Mangal|منګل;Wardak|وردګ;Safi|صافي;Shinwari|شینواری;Ahmadzai|احمدزی",
    ),
    "turk": (
        "Mehmet/Mehmed;Mustafa;Ahmet;Ali;Hüseyin/Huseyin/Hueseyin;Hasan;İbrahim/Ibrahim;Yusuf;"
        "Murat;Emre;Kemal;Osman;Ömer/Omer/Oemer",
        "Ayşe/Ayse;Fatma;Emine;Zeynep;Elif",
        "Yılmaz/Yilmaz;Kaya;Demir;Çelik/Celik;Şahin/Sahin;Yıldız/Yildiz;Öztürk/Ozturk/Oeztuerk;"
        "Aydın/Aydin;Arslan;Doğan/Dogan;Kılıç/Kilic;Koç/Koc",
    ),
    "tigrinya": (
        "Tesfay/Tesfaye|ተስፋይ;Yonas/Yohannes|ዮናስ;Mehari|መሓሪ;Dawit|ዳዊት;Filmon/Philemon|ፊልሞን;"
        "Habtom|ሃብቶም;Kidane|ኪዳነ;Ermias|ኤርምያስ;Medhanie/Medhane|መድሃኔ;Aman|ኣማን",
        "Senait/Senayt|ሰናይት;Helen|ሄለን;Selam|ሰላም;Rahel|ራሄል;Saba|ሳባ",
        "Tesfamariam|ተስፋማርያም;Gebremedhin/Ghebremedhin|ገብረመድህን;Tekle/Teklay|ተኽለ;Haile|ሃይለ;"
        "Berhane/Berhe/Brhane|ብርሃነ;Ghebreyesus/Gebreyesus|ገብረየሱስ;Woldu|ወልዱ;Abraha|ኣብርሃ;"
        "Mebrahtu/Mebrahtom|መብራህቱ",
    ),
    "wafr": (
        "Mamadou/Mamadu;Ousmane/Usman/Ousman;Ibrahima/Ibrahim;Moussa/Musa;Abdoulaye/Abdulaye;"
        "Amadou/Ahmadou;Boubacar/Bubakar;Souleymane/Suleiman;Cheikh/Sheikh;Lamine/Alamine;Modou",
        "Aminata;Fatoumata/Fatumata/Fatou;Mariama/Mariam;Aissatou/Aïssatou/Aisatu;Kadiatou",
        "Diallo/Jallow;Bah/Ba;Barry/Bari;Camara/Kamara;Sow/Sowe;Traoré/Traore;Keita/Keïta;"
        "Coulibaly/Kulibali;Konaté/Konate;Touré/Toure/Ture;Ndiaye/N'Diaye/Njie;Diop;Fall/Fal;"
        "Sylla/Sila;Cissé/Cisse",
    ),
    "ng": (
        "Chinedu;Emeka;Oluwaseun/Seun;Ifeanyi;Uchenna/Uche;Babatunde/Tunde;Samuel;Daniel;Godwin",
        "Blessing;Joy;Precious;Faith;Gift",
        "Okafor/Okafur;Okonkwo;Adeyemi;Eze;Obi;Nwosu;Ogunleye;Osagie;Igbinedion;Uwaifo",
    ),
    "bd": (
        "Mohammad/Md./Muhammad;Abdul;Rahim/Raheem;Karim;Rafiqul/Rafikul;Shahidul/Shohidul;Jahangir;Kamal",
        "Nasrin;Fatema/Fatima;Rokeya",
        "Hossain/Hossen/Hussain;Rahman/Rahaman;Islam;Uddin/Udin;Ahmed;Miah/Mia;Alam;Chowdhury/Choudhury",
    ),
    "pk": (
        "Muhammad/Mohammad;Imran;Asif/Aasif;Bilal;Usman/Osman;Zubair;Tariq",
        "Ayesha/Aisha;Sana;Sadia",
        "Khan;Butt/But;Malik;Hussain/Husain;Chaudhry/Chaudhary/Choudhry;Qureshi/Qurashi;Iqbal;Akhtar",
    ),
    "vn": (
        "Van Hung/Văn Hùng;Duc Anh/Đức Anh;Minh Tuan/Minh Tuấn;Quang Huy;Van Nam/Văn Nam",
        "Thi Lan/Thị Lan;Thi Mai/Thị Mai;Thu Trang",
        "Nguyen/Nguyễn;Tran/Trần;Le/Lê;Pham/Phạm;Hoang/Hoàng;Vu/Vũ",
    ),
    "de": (
        "Thomas;Michael;Andreas;Stefan;Markus/Marcus;Daniel;Jan",
        "Sabine;Anna;Julia",
        "Müller/Mueller/Muller;Schmidt/Schmitt;Schneider;Fischer;Weber;Wagner;Becker;"
        "Hoffmann/Hofmann;Schulz/Schultz",
    ),
    "it": (
        "Marco;Giuseppe;Antonio;Salvatore;Francesco",
        "Giulia;Maria",
        "Rossi;Russo;Ferrari;Esposito;Bianchi;Romano;Greco;Bruno",
    ),
    "gr": (
        "Georgios/Giorgos/Yiorgos|Γεώργιος;Dimitrios/Dimitris|Δημήτριος;"
        "Konstantinos/Kostas|Κωνσταντίνος;Nikolaos/Nikos|Νικόλαος;Ioannis/Giannis|Ιωάννης",
        "Maria|Μαρία;Eleni|Ελένη",
        "Papadopoulos|Παπαδόπουλος;Papadakis|Παπαδάκης;Nikolaidis/Nikolaides|Νικολαΐδης;"
        "Georgiou|Γεωργίου;Oikonomou/Ikonomou|Οικονόμου;Vlachos|Βλάχος",
    ),
    "es": (
        "Juan;José/Jose;Antonio;Francisco",
        "Carmen;Lucía/Lucia",
        "García/Garcia;Fernández/Fernandez;González/Gonzalez;Rodríguez/Rodriguez;López/Lopez",
    ),
    "fr": ("Jean;Pierre;Nicolas;Julien", "Marie;Camille", "Martin;Bernard;Dubois;Thomas;Robert;Petit;Moreau"),
    "nl": (
        "Jan;Pieter;Sander;Ruben",
        "Sanne;Lotte",
        "de Jong/De Jong/Dejong;Jansen/Janssen;de Vries/De Vries;Bakker;Visser;Smit",
    ),
    "hu": (
        "László/Laszlo;István/Istvan;Zoltán/Zoltan;Gábor/Gabor",
        "Katalin",
        "Nagy;Kovács/Kovacs;Tóth/Toth;Szabó/Szabo;Horváth/Horvath",
    ),
    "bg": (
        "Georgi/Georgy|Георги;Ivan|Иван;Dimitar/Dimitur|Димитър;Petar/Peter|Петър;Nikolay/Nikolai|Николай",
        "Maria|Мария",
        "Ivanov|Иванов;Georgiev|Георгиев;Dimitrov|Димитров;Petrov|Петров;Stoyanov/Stoianov|Стоянов",
    ),
    "ro": ("Andrei;Mihai;Ionuț/Ionut;Alexandru", "Elena", "Popescu;Ionescu;Popa;Dumitru;Stan"),
    "sx": (
        "Nikola|Никола;Marko|Марко;Miloš/Milos|Милош;Dragan|Драган;Goran|Горан",
        "Jelena|Јелена",
        "Jovanović/Jovanovic/Jovanovich|Јовановић;Petrović/Petrovic|Петровић;"
        "Nikolić/Nikolic|Николић;Marković/Markovic|Марковић;Hodžić/Hodzic;Begić/Begic",
    ),
    "pl": (
        "Piotr;Krzysztof;Tomasz;Paweł/Pawel",
        "Anna;Katarzyna",
        "Nowak;Kowalski;Wiśniewski/Wisniewski;Wójcik/Wojcik;Kamiński/Kaminski",
    ),
    "lt": ("Tomas;Mantas;Jonas", "Rūta/Ruta", "Kazlauskas;Jankauskas;Petrauskas;Stankevičius/Stankevicius"),
    "ru": (
        "Alexander/Aleksandr/Alexandre|Александр;Sergei/Sergey/Sergej|Сергей;"
        "Dmitry/Dmitri/Dmitrij|Дмитрий;Andrei/Andrey|Андрей",
        "Olga|Ольга",
        "Ivanov|Иванов;Smirnov/Smirnow|Смирнов;Kuznetsov/Kusnezow|Кузнецов;Popov|Попов;Sokolov|Соколов",
    ),
    "en": ("James;John;David", "Sarah;Emma", "Smith;Jones;Williams;Taylor;Brown"),
    "al": ("Arben;Besnik;Ardit;Endrit;Klodian", "Elira", "Hoxha/Hoxa;Shehu;Dervishi;Gjoka;Leka;Krasniqi"),
    "nordic": ("Erik;Lars;Johan;Mikko", "Anna", "Andersson;Johansson;Hansen;Olsen;Virtanen;Korhonen"),
}

#: Name groups by nationality, with weights.
GROUPS_BY_COUNTRY: dict[str, tuple[tuple[str, float], ...]] = {
    "SY": (("arab", 0.8), ("kurd", 0.2)),
    "IQ": (("arab", 0.6), ("kurd", 0.4)),
    "IR": (("persian", 0.75), ("kurd", 0.25)),
    "AF": (("persian", 0.6), ("pashto", 0.4)),
    "TR": (("turk", 0.8), ("kurd", 0.2)),
    "PK": (("pk", 1.0),),
    "ER": (("tigrinya", 1.0),),
    "NG": (("ng", 1.0),),
    "BD": (("bd", 1.0),),
    "VN": (("vn", 1.0),),
    **{c: (("arab", 1.0),) for c in ("SD", "EG", "LY", "MA", "DZ", "TN")},
    **{c: (("wafr", 1.0),) for c in ("GN", "ML", "SN", "CI", "MR", "NE")},
    "DE": (("de", 1.0),),
    "AT": (("de", 1.0),),
    "IT": (("it", 1.0),),
    "MT": (("en", 0.5), ("it", 0.5)),
    "GR": (("gr", 1.0),),
    "CY": (("gr", 1.0),),
    "ES": (("es", 1.0),),
    "FR": (("fr", 1.0),),
    "NL": (("nl", 1.0),),
    "BE": (("nl", 0.5), ("fr", 0.5)),
    "HU": (("hu", 1.0),),
    "BG": (("bg", 1.0),),
    "RO": (("ro", 1.0),),
    "PL": (("pl", 1.0),),
    "LT": (("lt", 1.0),),
    **{c: (("sx", 1.0),) for c in ("RS", "BA", "MK", "HR", "SI")},
    "RU": (("ru", 1.0),),
    "BY": (("ru", 1.0),),
    "GB": (("en", 1.0),),
    "AL": (("al", 1.0),),
    **{c: (("nordic", 1.0),) for c in ("SE", "NO", "FI")},
}

#: Languages spoken by each group, for adverts (ISO 639-1, ku = Kurdish).
GROUP_LANGUAGES: dict[str, tuple[str, ...]] = {
    "arab": ("ar",),
    "kurd": ("ku", "ar"),
    "persian": ("fa",),
    "pashto": ("ps", "fa"),
    "tigrinya": ("en", "ar"),
    "wafr": ("fr",),
    "ng": ("en",),
    "bd": ("en",),
    "pk": ("en",),
    "vn": ("en",),
    "turk": ("en",),
}
ALIAS_PREFIX = {"arab": "Abu", "kurd": "Kaka", "persian": "Haji", "pashto": "Haji", "turk": "Abi"}


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One name: its spelling variants (first is canonical) and native-script form."""

    variants: tuple[str, ...]
    native: str


def _parse(text: str) -> tuple[NameEntry, ...]:
    out = []
    for item in text.split(";"):
        latin, _, native = item.partition("|")
        out.append(NameEntry(tuple(latin.split("/")), native))
    return tuple(out)


@cache
def pool(group: str, part: str) -> tuple[NameEntry, ...]:
    """The name entries of a group: part is 'm', 'f' or 'family'."""
    males, females, families = _POOLS[group]
    return _parse({"m": males, "f": females, "family": families}[part])


def groups() -> tuple[str, ...]:
    """All name groups."""
    return tuple(_POOLS)
