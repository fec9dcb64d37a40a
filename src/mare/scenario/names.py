"""Name pools by language group, with transliteration variants and native script."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# Each entry: "Variant1/Variant2/...|native script"; the first variant is the canonical one.
_POOLS: dict[str, tuple[str, str, str]] = {
    "arab": (
        "Mohammed/Muhammad/Mohamad/Mohamed/Mohammad|محمد;Ahmed/Ahmad|أحمد;Mahmoud/Mahmud|محمود;"
        "Mustafa/Moustafa/Mostafa|مصطفى;Omar/Umar|عمر;Ali|علي;Hassan/Hasan|حسن;Hussein/Hussain/Husayn|حسين;"
        "Khaled/Khalid|خالد;Youssef/Yusuf/Yousef|يوسف;Ibrahim/Ebrahim|إبراهيم;Abdullah/Abdallah|عبد الله;"
        "Tarek/Tariq|طارق;Walid/Waleed|وليد;Samir/Sameer|سمير;Karim/Kareem|كريم;Jamal/Gamal|جمال;"
        "Osama/Usama|أسامة;Bilal|بلال;Fadi|فادي;Rami|رامي;Ayman/Aiman|أيمن;Hamza|حمزة;Said/Saeed|سعيد;"
        "Abdulrahman/Abdelrahman/Abdul Rahman|عبد الرحمن;Abdulaziz/Abdelaziz|عبد العزيز;"
        "Abdulkarim/Abdelkarim|عبد الكريم;Abdelkader/Abdulqadir|عبد القادر;Anas|أنس;Basel/Basil|باسل;"
        "Majid/Majed|ماجد;Nabil/Nabeel|نبيل;Rashid/Rachid|رشيد;Salem/Salim|سالم;Adel/Adil|عادل;"
        "Hisham/Hicham|هشام;Ismail/Ismael|إسماعيل;Jihad|جهاد;Marwan|مروان;Mounir/Munir|منير;Nizar|نزار;"
        "Qasim/Kassem|قاسم;Riad/Riyad|رياض;Saad|سعد;Tamer/Tamir|تامر;Wael/Wail|وائل;Yasser/Yasir|ياسر;"
        "Ziad/Ziyad|زياد;Hamed/Hamid|حامد;Faisal/Faysal|فيصل;Ammar|عمار;Mahdi|مهدي",
        "Fatima/Fatma|فاطمة;Aisha/Aysha/Aicha|عائشة;Mariam/Maryam/Meryem|مريم;Noor/Nour/Nur|نور;"
        "Zainab/Zaynab/Zeinab|زينب;Amina/Aminah|أمينة;Layla/Leila/Laila|ليلى;Huda/Hoda|هدى;"
        "Rania/Raniya|رانيا;Salma|سلمى;Hanan|حنان;Samira/Sameera|سميرة;Khadija/Khadeeja|خديجة;Rana|رنا;"
        "Dalia|داليا;Yasmin/Yasmine|ياسمين;Asmaa/Asma|أسماء;Amal|أمل;Hiba|هبة;Lina|لينا",
        "Al-Hassan/Al Hasan/Alhassan|الحسن;Al-Ahmad/Alahmad|الأحمد;Haddad|حداد;Khalil/Khaleel|خليل;"
        "Al-Khatib/Alkhatib|الخطيب;Hamdan|حمدان;Mansour/Mansur|منصور;Nasser/Nasir|ناصر;Saleh/Salih|صالح;"
        "Al-Hamoud/Alhamoud|الحمود;Al-Masri/Elmasry|المصري;Darwish/Darwich|درويش;Othman/Osman/Uthman|عثمان;"
        "Suleiman/Sulaiman/Slimane|سليمان;Jaber/Jabir|جابر;El-Amrani/Amrani|العمراني;Benali/Ben Ali|بن علي;"
        "Trabelsi/Trabelssi|الطرابلسي;Al-Obeidi/Obaidi|العبيدي;Al-Jubouri/Jabouri|الجبوري;"
        "Al-Sayed/El Sayed|السيد;Al-Shami/Shami|الشامي;Al-Halabi/Halabi|الحلبي;Al-Tikriti|التكريتي;"
        "Al-Zoubi/Zoubi|الزعبي;Barakat|بركات;Hijazi/Hegazy|حجازي;Kassab/Qassab|قصاب;Al-Najjar/Najjar|النجار;"
        "Shaheen/Shahin|شاهين;Younis/Yunus|يونس;Abboud/Aboud|عبود;Farouk/Farouq|فاروق;Ghanem/Ghanim|غانم;"
        "Issa/Eissa|عيسى;Al-Rifai/Rifai|الرفاعي;Kanaan/Canaan|كنعان;Al-Ali|العلي;Sabbagh|صباغ;"
        "Al-Bakri/Bakri|البكري;Kaddour/Qaddour|قدور;Bouzid|بوزيد;Ben Salah/Bensalah|بن صالح;"
        "Al-Dulaimi/Dulaimi|الدليمي;Al-Shammari/Shammari|الشمري",
    ),
    "kurd": (
        "Aram|ئارام;Karwan|کاروان;Rebin/Rebeen|ڕێبین;Dilshad/Dilshat|دڵشاد;Shwan/Shuan|شوان;Zana|زانا;"
        "Soran|سۆران;Hawre/Hawri|هاوڕێ;Ako|ئاکۆ;Rebwar|ڕێبوار;Azad|ئازاد;Baran|باران;Dara|دارا;Hemin|هێمن;"
        "Kawa|کاوە;Nawzad/Nawzat|نەوزاد;Peshawa|پێشەوا;Sherzad|شێرزاد;Hoshyar/Hushyar|هۆشیار;"
        "Sirwan/Serwan|سیروان;Shaho|شاهۆ;Bakhtiyar/Bakhtiar|بەختیار",
        "Shilan/Shelan|شیلان;Avin/Avan|ئاڤین;Jiyan/Zhiyan|ژیان;Berivan|بەریڤان;Rojda|ڕۆژدا;Nasrin|نەسرین;"
        "Gulala|گوڵاڵە;Tara|تارا",
        "Ahmadi/Ahmedi|ئەحمەدی;Rashid/Rasheed|ڕەشید;Karim/Kareem|کەریم;Hamad Amin/Hama Amin|حەمەد ئەمین;"
        "Mahmoud/Mahmud|مەحموود;Abdulla/Abdullah|عەبدوڵڵا;Qadir/Kadir|قادر;Aziz|عەزیز;Barzani|بارزانی;"
        "Talabani|تاڵەبانی;Hawrami/Hawramy|هەورامی;Jaff/Jaf|جاف;Zebari/Zibari|زێباری;Doski/Dosky|دۆسکی;"
        "Sorani|سۆرانی;Mirza|میرزا;Othman/Osman|عوسمان",
    ),
    "persian": (
        "Mohammad/Mohammed/Muhammad|محمد;Ali|علی;Reza/Rezza|رضا;Hossein/Hussein/Hosein|حسین;Mehdi/Mahdi|مهدی;"
        "Ahmad/Ahmed|احمد;Javad/Jawad|جواد;Hamid|حمید;Farid/Fareed|فرید;Omid/Omeed|امید;"
        "Sayed/Seyed/Sayyid|سید;Naser/Nasir|ناصر;Amir|امیر;Hassan/Hasan|حسن;Abbas|عباس;Morteza/Murtaza|مرتضی;"
        "Saeed/Said|سعید;Majid/Majed|مجید;Behrouz/Behruz|بهروز;Dariush/Daryoush|داریوش;Karim|کریم;"
        "Mostafa/Mustafa|مصطفی;Ebrahim/Ibrahim|ابراهیم;Yousef/Yusuf|یوسف;Nasrullah/Nasrollah|نصرالله;"
        "Habib|حبیب",
        "Fatemeh/Fatima|فاطمه;Zahra/Zahraa|زهرا;Maryam/Mariam|مریم;Shirin|شیرین;Parisa|پریسا;Nazanin|نازنین;"
        "Sara/Sarah|سارا;Leila/Layla|لیلا;Mina|مینا;Roya|رویا",
        "Ahmadi/Ahmedi|احمدی;Hosseini/Husseini/Hoseini|حسینی;Rezaei/Rezaie/Rezai|رضایی;"
        "Mohammadi/Mohamadi|محمدی;Karimi|کریمی;Rahimi|رحیمی;Hashemi|هاشمی;Sadeghi/Sadiqi|صادقی;"
        "Jafari/Jaafari|جعفری;Nazari|نظری;Haidari/Heydari/Haydari|حیدری;Sultani/Soltani|سلطانی;"
        "Noori/Nouri|نوری;Moradi|مرادی;Ebrahimi/Ibrahimi|ابراهیمی;Ghorbani/Qurbani|قربانی;Akbari|اکبری;"
        "Azizi|عزیزی;Rostami|رستمی;Amini|امینی;Mousavi/Musavi/Moosavi|موسوی;Sharifi|شریفی;Naderi|نادری;"
        "Safari|صفری;Habibi|حبیبی;Yousefi/Yusufi|یوسفی;Faizi/Feyzi|فیضی;Ghasemi/Qasemi|قاسمی",
    ),
    "pashto": (
        "Zabihullah/Zabiullah|ذبیح الله;Rahmatullah/Rahmatulla|رحمت الله;Naqibullah|نقیب الله;"
        "Wahid/Waheed|وحید;Jawed/Javed|جاوید;Gul Agha/Gol Agha|ګل آغا;Ahmad Shah|احمد شاه;"
        "Hekmatullah/Hikmatullah|حکمت الله;Abdul Wali|عبدالولی;Noorullah/Nurullah|نورالله;"
        "Bashir/Basheer|بشیر;Nasir|ناصر;Shafiqullah|شفیق الله;Asadullah/Asadulla|اسدالله;Ajmal|اجمل;"
        "Farhad|فرهاد;Mirwais|میرویس;Khalid|خالد;Sayed Agha|سید آغا;Ezatullah/Izatullah|عزت الله",
        "Malalai/Malalay|ملالۍ;Nazia|نازیه;Shabnam|شبنم;Palwasha|پلوشه;Zarghona|زرغونه;Spogmai|سپوږمۍ",
        "Khan|خان;Stanikzai/Stanekzai|ستانکزی;Popalzai|پوپلزی;Yousafzai/Yusufzai|یوسفزی;Zadran|ځدراڼ;"
        "Mangal|منګل;Wardak|وردګ;Safi|صافي;Shinwari|شینواری;Ahmadzai|احمدزی;Karzai|کرزی;Mohmand|مومند;"
        "Achakzai|اڅکزی;Noorzai/Nurzai|نورزی;Barakzai|بارکزی;Afridi|اپریدی;Kakar|کاکړ;Jalali|جلالی",
    ),
    "turk": (
        "Mehmet/Mehmed;Mustafa;Ahmet;Ali;Hüseyin/Huseyin/Hueseyin;Hasan;İbrahim/Ibrahim;Yusuf;Murat;Emre;"
        "Kemal;Osman;Ömer/Omer/Oemer;Hakan;Serkan;Burak;Fatih;Cem;Volkan;Orhan;Recep;Erkan;Gökhan/Gokhan",
        "Ayşe/Ayse;Fatma;Emine;Zeynep;Elif;Hatice;Merve",
        "Yılmaz/Yilmaz;Kaya;Demir;Çelik/Celik;Şahin/Sahin;Yıldız/Yildiz;Öztürk/Ozturk/Oeztuerk;Aydın/Aydin;"
        "Arslan;Doğan/Dogan;Kılıç/Kilic;Koç/Koc;Aksoy;Polat;Erdoğan/Erdogan;Özdemir/Ozdemir;Kurt;Özkan/Ozkan;"
        "Güneş/Gunes;Aslan;Bulut;Çetin/Cetin;Korkmaz;Keskin;Acar;Tekin;Ünal/Unal",
    ),
    "tigrinya": (
        "Tesfay/Tesfaye|ተስፋይ;Yonas/Yohannes|ዮናስ;Mehari|መሓሪ;Dawit|ዳዊት;Filmon/Philemon|ፊልሞን;Habtom|ሃብቶም;"
        "Kidane|ኪዳነ;Ermias|ኤርምያስ;Medhanie/Medhane|መድሃኔ;Aman|ኣማን;Samuel/Samiel|ሳሙኤል;Biniam/Biniyam|ቢንያም;"
        "Robel|ሮቤል;Michael/Mikael|ሚካኤል;Tedros/Tewodros|ቴድሮስ;Yemane|የማነ;Isaias/Isayas|ኢሳይያስ;"
        "Amanuel/Emmanuel|ኣማኑኤል;Efrem/Ephrem|ኤፍሬም;Abel|ኣቤል;Goitom|ጎይቶም;Kibrom|ክብሮም;Negasi/Negassi|ነጋሲ;"
        "Tesfalem|ተስፋኣለም;Mussie|ሙሴ;Yosief/Yosef|ዮሴፍ;Zerai|ዘርኣይ;Ghirmay/Girmay|ግርማይ;Solomon|ሰሎሞን;Fitsum|ፍጹም",
        "Senait/Senayt|ሰናይት;Helen|ሄለን;Selam|ሰላም;Rahel|ራሄል;Saba|ሳባ;Winta|ዊንታ;Luwam|ሉዋም;Eden|ኤደን;Feven|ፌቨን;"
        "Tsega|ጸጋ;Mehret|ምሕረት",
        "Tesfamariam|ተስፋማርያም;Gebremedhin/Ghebremedhin|ገብረመድህን;Tekle/Teklay|ተኽለ;Haile|ሃይለ;"
        "Berhane/Berhe/Brhane|ብርሃነ;Ghebreyesus/Gebreyesus|ገብረየሱስ;Woldu|ወልዱ;Abraha|ኣብርሃ;"
        "Mebrahtu/Mebrahtom|መብራህቱ;Weldemichael/Woldemichael|ወልደሚካኤል;Gebrehiwet|ገብረሕይወት;Asmerom|ኣስመሮም;"
        "Okbazghi|ዑቕባዝጊ;Tewelde/Tewolde|ተወልደ;Habte|ሃብተ;Kahsay|ካሕሳይ;Andemariam|ኣንደማርያም;Zemichael|ዘሚካኤል;"
        "Hagos|ሓጎስ;Beyene|በየነ;Asfaha|ኣስፍሃ;Tsegay|ጸጋይ",
    ),
    "wafr": (
        "Mamadou/Mamadu;Ousmane/Usman/Ousman;Ibrahima/Ibrahim;Moussa/Musa;Abdoulaye/Abdulaye;Amadou/Ahmadou;"
        "Boubacar/Bubakar;Souleymane/Suleiman;Cheikh/Sheikh;Lamine/Alamine;Modou;Alpha/Alfa;Saliou/Saliu;"
        "Thierno/Tierno;Sekou/Seku;Alhassane/Alasana;Oumar/Umar;Idrissa/Idrisa;Abdourahmane/Abdurahman;"
        "Seydou/Saidu;Kalilou/Kalilu",
        "Aminata;Fatoumata/Fatumata/Fatou;Mariama/Mariam;Aissatou/Aïssatou/Aisatu;Kadiatou;Mariatou;"
        "Binta/Bintou;Hawa",
        "Diallo/Jallow;Bah/Ba;Barry/Bari;Camara/Kamara;Sow/Sowe;Traoré/Traore;Keita/Keïta;Coulibaly/Kulibali;"
        "Konaté/Konate;Touré/Toure/Ture;Ndiaye/N'Diaye/Njie;Diop;Fall/Fal;Sylla/Sila;Cissé/Cisse;"
        "Sangaré/Sangare;Kanté/Kante;Baldé/Balde;Sall;Gueye/Gaye;Faye;Sarr;Mbaye;Dembélé/Dembele;Cissoko;"
        "Doumbia/Dumbia;Fofana;Kouyaté/Kouyate;Sidibé/Sidibe",
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
        "Thomas;Michael;Andreas;Stefan;Markus/Marcus;Daniel;Jan;Alexander;Christian;Florian;Matthias;"
        "Sebastian;Tobias;Wolfgang;Jürgen/Juergen/Jurgen;Uwe;Dirk",
        "Sabine;Anna;Julia;Claudia;Petra;Katrin;Nicole",
        "Müller/Mueller/Muller;Schmidt/Schmitt;Schneider;Fischer;Weber;Wagner;Becker;Hoffmann/Hofmann;"
        "Schulz/Schultz;Meyer/Maier/Meier;Koch;Bauer;Richter;Klein;Wolf;Schröder/Schroeder/Schroder;Neumann;"
        "Schwarz;Zimmermann;Braun;Krüger/Krueger/Kruger;Hartmann;Lange;Werner;Krause;Lehmann;Köhler/Koehler;"
        "Huber;Kaiser;Fuchs;Lang;Weiß/Weiss;Brandt;Haas;Vogel;Berger;Graf;Pichler;Steiner",
    ),
    "it": (
        "Marco;Giuseppe;Antonio;Salvatore;Francesco;Luca;Andrea;Alessandro;Matteo;Lorenzo;Davide;Stefano;"
        "Vincenzo;Roberto;Paolo",
        "Giulia;Maria;Francesca;Chiara;Sara",
        "Rossi;Russo;Ferrari;Esposito;Bianchi;Romano;Greco;Bruno;Colombo;Ricci;Marino;Gallo;Conti;De Luca;"
        "Costa;Giordano;Mancini;Rizzo;Lombardi;Moretti;Barbieri;Fontana;Santoro;Mariani;Rinaldi;Caruso;"
        "Ferrara;Galli;Martini;Leone;Longo;Gentile",
    ),
    "gr": (
        "Georgios/Giorgos/Yiorgos|Γεώργιος;Dimitrios/Dimitris|Δημήτριος;Konstantinos/Kostas|Κωνσταντίνος;"
        "Nikolaos/Nikos|Νικόλαος;Ioannis/Giannis|Ιωάννης;Christos|Χρήστος;Panagiotis/Panagiotes|Παναγιώτης;"
        "Vasileios/Vasilis|Βασίλειος;Athanasios/Thanasis|Αθανάσιος;Evangelos/Vangelis|Ευάγγελος;"
        "Michail/Michalis|Μιχαήλ;Spyridon/Spyros|Σπυρίδων;Stavros|Σταύρος;Theodoros|Θεόδωρος;"
        "Antonios|Αντώνιος",
        "Maria|Μαρία;Eleni|Ελένη;Aikaterini/Katerina|Αικατερίνη;Sofia|Σοφία;Vasiliki|Βασιλική",
        "Papadopoulos|Παπαδόπουλος;Papadakis|Παπαδάκης;Nikolaidis/Nikolaides|Νικολαΐδης;Georgiou|Γεωργίου;"
        "Oikonomou/Ikonomou|Οικονόμου;Vlachos|Βλάχος;Papanikolaou|Παπανικολάου;Karagiannis|Καραγιάννης;"
        "Pappas|Παππάς;Makris|Μακρής;Dimitriou|Δημητρίου;Konstantinidis|Κωνσταντινίδης;"
        "Antonopoulos|Αντωνόπουλος;Alexiou|Αλεξίου;Christodoulou|Χριστοδούλου;Mavridis|Μαυρίδης;"
        "Theodorou|Θεοδώρου;Kyriakidis|Κυριακίδης;Papageorgiou|Παπαγεωργίου;Athanasiou|Αθανασίου;"
        "Vasileiou|Βασιλείου;Lamprou|Λάμπρου;Stavropoulos|Σταυρόπουλος;Angelopoulos|Αγγελόπουλος;"
        "Efthymiou|Ευθυμίου;Panagiotopoulos|Παναγιωτόπουλος;Kallis|Κάλλης;Galanis|Γαλάνης;Tsakiris|Τσακίρης;"
        "Manolis|Μανώλης",
    ),
    "es": (
        "Juan;José/Jose;Antonio;Francisco;Manuel;David;Javier;Daniel;Carlos;Miguel;Rafael;Pedro;Ángel/Angel;"
        "Alejandro",
        "Carmen;Lucía/Lucia;Laura;Isabel;Ana",
        "García/Garcia;Fernández/Fernandez;González/Gonzalez;Rodríguez/Rodriguez;López/Lopez;"
        "Martínez/Martinez;Sánchez/Sanchez;Pérez/Perez;Gómez/Gomez;Martín/Martin;Jiménez/Jimenez;Ruiz;"
        "Hernández/Hernandez;Díaz/Diaz;Moreno;Muñoz/Munoz;Álvarez/Alvarez;Romero;Navarro;Torres;"
        "Domínguez/Dominguez;Vázquez/Vazquez;Ramos;Gil;Serrano;Molina;Ortega;Delgado;Castro",
    ),
    "fr": (
        "Jean;Pierre;Nicolas;Julien;Philippe;Alain;Laurent;Christophe;Sébastien/Sebastien;Olivier;Thierry;"
        "Frédéric/Frederic;Stéphane/Stephane;Mathieu",
        "Marie;Camille;Sophie;Nathalie;Isabelle",
        "Martin;Bernard;Dubois;Thomas;Robert;Petit;Moreau;Richard;Durand;Leroy;Simon;Laurent;Lefebvre;Michel;"
        "Garcia;David;Bertrand;Roux;Vincent;Fournier;Morel;Girard;André/Andre;Lefèvre/Lefevre;Mercier;Dupont;"
        "Lambert;Bonnet;François/Francois",
    ),
    "nl": (
        "Jan;Pieter;Sander;Ruben;Joris;Bas;Thijs;Daan;Koen;Bram;Stijn;Wouter",
        "Sanne;Lotte;Eva;Femke",
        "de Jong/De Jong/Dejong;Jansen/Janssen;de Vries/De Vries;Bakker;Visser;Smit;"
        "van Dijk/Van Dijk/Vandijk;Meijer/Meyer;de Boer/De Boer;Mulder;de Groot/De Groot;Bos;Vos;Peters;"
        "Hendriks;van Leeuwen/Van Leeuwen;Dekker;Brouwer;de Wit/De Wit;Dijkstra;Smits;de Graaf/De Graaf;"
        "van der Meer/Van der Meer;Kok;Jacobs;Peeters;Maes;Claes",
    ),
    "hu": (
        "László/Laszlo;István/Istvan;Zoltán/Zoltan;Gábor/Gabor;Attila;Tamás/Tamas;Péter/Peter;Sándor/Sandor;"
        "József/Jozsef;Ferenc;Csaba",
        "Katalin;Zsuzsanna;Erzsébet/Erzsebet",
        "Nagy;Kovács/Kovacs;Tóth/Toth;Szabó/Szabo;Horváth/Horvath;Varga;Kiss;Molnár/Molnar;Németh/Nemeth;"
        "Farkas;Balogh;Papp;Takács/Takacs;Juhász/Juhasz;Lakatos;Mészáros/Meszaros;Oláh/Olah;Simon;Rácz/Racz;"
        "Fekete",
    ),
    "bg": (
        "Georgi/Georgy|Георги;Ivan|Иван;Dimitar/Dimitur|Димитър;Petar/Peter|Петър;Nikolay/Nikolai|Николай;"
        "Hristo|Христо;Stoyan|Стоян;Todor|Тодор;Vasil|Васил;Plamen|Пламен;Krasimir|Красимир;Angel|Ангел;"
        "Atanas|Атанас",
        "Maria|Мария;Elena|Елена;Ivanka|Иванка",
        "Ivanov|Иванов;Georgiev|Георгиев;Dimitrov|Димитров;Petrov|Петров;Stoyanov/Stoianov|Стоянов;"
        "Nikolov|Николов;Hristov|Христов;Todorov|Тодоров;Iliev|Илиев;Atanasov|Атанасов;Angelov|Ангелов;"
        "Vasilev/Vassilev|Василев;Marinov|Маринов;Kolev|Колев;Yordanov|Йорданов;Mihaylov/Mihailov|Михайлов;"
        "Kostov|Костов;Popov|Попов;Dimov|Димов",
    ),
    "ro": (
        "Andrei;Mihai;Ionuț/Ionut;Alexandru;Ion;Gheorghe;Constantin;Vasile;Nicolae;Florin;Marian;Cristian",
        "Elena;Ioana;Mihaela",
        "Popescu;Ionescu;Popa;Dumitru;Stan;Radu;Dinu;Munteanu;Constantin;Georgescu;Stoica;Florea;Matei;Barbu;"
        "Tudor;Moldovan;Lungu;Ene;Rusu;Cristea",
    ),
    "sx": (
        "Nikola|Никола;Marko|Марко;Miloš/Milos|Милош;Dragan|Драган;Goran|Горан;Stefan|Стефан;Zoran|Зоран;"
        "Milan|Милан;Dejan|Дејан;Nenad|Ненад;Aleksandar|Александар;Emir;Amir;Adnan",
        "Jelena|Јелена;Ana|Ана;Milica|Милица",
        "Jovanović/Jovanovic/Jovanovich|Јовановић;Petrović/Petrovic|Петровић;Nikolić/Nikolic|Николић;"
        "Marković/Markovic|Марковић;Hodžić/Hodzic;Begić/Begic;Đorđević/Djordjevic/Dordevic|Ђорђевић;"
        "Stojanović/Stojanovic|Стојановић;Ilić/Ilic|Илић;Stanković/Stankovic|Станковић;"
        "Pavlović/Pavlovic|Павловић;Milošević/Milosevic|Милошевић;Đukić/Djukic|Ђукић;"
        "Kovačević/Kovacevic|Ковачевић;Popović/Popovic|Поповић;Savić/Savic|Савић;Delić/Delic;"
        "Mehmedović/Mehmedovic;Hadžić/Hadzic;Kovač/Kovac;Babić/Babic",
    ),
    "pl": (
        "Piotr;Krzysztof;Tomasz;Paweł/Pawel;Marcin;Michał/Michal;Łukasz/Lukasz;Jakub;Grzegorz;Adam;Marek;"
        "Dariusz",
        "Anna;Katarzyna;Agnieszka;Magdalena",
        "Nowak;Kowalski;Wiśniewski/Wisniewski;Wójcik/Wojcik;Kamiński/Kaminski;Lewandowski;"
        "Zieliński/Zielinski;Szymański/Szymanski;Woźniak/Wozniak;Dąbrowski/Dabrowski;Kozłowski/Kozlowski;"
        "Jankowski;Mazur;Kwiatkowski;Krawczyk;Piotrowski;Grabowski;Nowakowski;Pawłowski/Pawlowski;Michalski",
    ),
    "lt": (
        "Tomas;Mantas;Jonas;Darius;Andrius;Tadas;Paulius;Vytautas",
        "Rūta/Ruta;Asta",
        "Kazlauskas;Jankauskas;Petrauskas;Stankevičius/Stankevicius;Vasiliauskas;Žukauskas/Zukauskas;Butkus;"
        "Paulauskas;Urbonas;Kavaliauskas;Navickas;Ramanauskas;Savickas",
    ),
    "ru": (
        "Alexander/Aleksandr/Alexandre|Александр;Sergei/Sergey/Sergej|Сергей;Dmitry/Dmitri/Dmitrij|Дмитрий;"
        "Andrei/Andrey|Андрей;Alexei/Aleksey/Alexey|Алексей;Ivan|Иван;Nikolai/Nikolay|Николай;"
        "Vladimir|Владимир;Mikhail/Michail|Михаил;Igor|Игорь;Yuri/Yury|Юрий",
        "Olga|Ольга;Natalia/Natalya|Наталья;Elena/Yelena|Елена",
        "Ivanov|Иванов;Smirnov/Smirnow|Смирнов;Kuznetsov/Kusnezow|Кузнецов;Popov|Попов;Sokolov|Соколов;"
        "Volkov|Волков;Fedorov/Fyodorov|Фёдоров;Morozov|Морозов;Novikov|Новиков;Pavlov|Павлов;"
        "Lebedev|Лебедев;Kozlov|Козлов;Egorov/Yegorov|Егоров;Orlov|Орлов;Zaitsev/Zaytsev|Зайцев",
    ),
    "en": (
        "James;John;David;Michael;Robert;William;Richard;Daniel;Mark;Paul",
        "Sarah;Emma;Emily;Laura",
        "Smith;Jones;Williams;Taylor;Brown;Wilson;Evans;Thomas;Johnson;Roberts;Walker;Wright;Robinson;"
        "Thompson;White;Hughes;Edwards;Green;Hall;Wood;Harris",
    ),
    "al": (
        "Arben;Besnik;Ardit;Endrit;Klodian;Altin;Bujar;Dritan;Erion;Fatmir;Gentian;Ilir;Luan;Valon",
        "Elira;Arta;Blerta",
        "Hoxha/Hoxa;Shehu;Dervishi;Gjoka;Leka;Krasniqi;Berisha;Gashi;Kelmendi;Morina;Shala;Hasani;Rama;"
        "Bytyqi;Ahmeti;Mema;Cela;Duka",
    ),
    "nordic": (
        "Erik;Lars;Johan;Mikko;Anders;Per;Ole;Henrik;Mats;Juha;Timo",
        "Anna;Maria;Kristina",
        "Andersson;Johansson;Hansen;Olsen;Virtanen;Korhonen;Nilsson;Larsson;Karlsson;Eriksson;Pettersson;"
        "Jensen;Nielsen;Pedersen;Berg;Haugen;Nieminen;Mäkinen/Makinen;Lehtonen",
    ),
}

#: A middle name between given and family name: the share of a group's people who carry one and
#: where it comes from — "father": the father's name (nasab of Arabic and Kurdish names, Tigrinya
#: father's name before the grandfather's, Afghan, Albanian and Greek documents, Bulgarian and
#: Russian patronymics written as the father's name), "given": a second given name of the
#: person's gender, "family": a second family name (Spanish paternal and maternal surnames).
MIDDLE_NAMES: dict[str, tuple[float, str]] = {
    "arab": (0.9, "father"), "kurd": (0.9, "father"), "tigrinya": (1.0, "father"),
    "pashto": (0.6, "father"), "persian": (0.5, "father"), "al": (0.5, "father"),
    "gr": (0.5, "father"), "bg": (0.6, "father"), "ru": (0.5, "father"),
    "wafr": (0.4, "given"), "bd": (0.5, "given"), "pk": (0.5, "given"), "ng": (0.4, "given"),
    "turk": (0.2, "given"), "de": (0.3, "given"), "it": (0.2, "given"), "fr": (0.3, "given"),
    "nl": (0.3, "given"), "pl": (0.2, "given"), "hu": (0.2, "given"), "ro": (0.3, "given"),
    "sx": (0.2, "given"), "lt": (0.1, "given"), "en": (0.5, "given"), "nordic": (0.4, "given"),
    "es": (1.0, "family"),
}  # fmt: skip

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
