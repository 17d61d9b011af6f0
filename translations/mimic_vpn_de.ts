<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>Connection</name>
    <message>
        <source>no answer (missed: %1)</source>
        <translation>keine Antwort (verpasst: %1)</translation>
    </message>
    <message>
        <source>&lt;1 ms</source>
        <translation>&lt;1 ms</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>High packet loss (%1%)</source>
        <translation>Hoher Paketverlust (%1 %)</translation>
    </message>
    <message>
        <source>High latency (%1 ms)</source>
        <translation>Hohe Latenz (%1 ms)</translation>
    </message>
</context>
<context>
    <name>Failure</name>
    <message>
        <source>No internet connection</source>
        <translation>Keine Internetverbindung</translation>
    </message>
    <message>
        <source>Sign in to this network</source>
        <translation>In diesem Netzwerk anmelden</translation>
    </message>
    <message>
        <source>Can&apos;t reach your account</source>
        <translation>Ihr Konto ist nicht erreichbar</translation>
    </message>
    <message>
        <source>No active subscription</source>
        <translation>Kein aktives Abonnement</translation>
    </message>
    <message>
        <source>VPN traffic is blocked</source>
        <translation>VPN-Datenverkehr wird blockiert</translation>
    </message>
    <message>
        <source>Location unavailable</source>
        <translation>Standort nicht verfügbar</translation>
    </message>
    <message>
        <source>VPN service not responding</source>
        <translation>VPN-Dienst antwortet nicht</translation>
    </message>
    <message>
        <source>This device is not connected to the internet. Check your Wi-Fi or cable, then try again.</source>
        <translation>Dieses Gerät ist nicht mit dem Internet verbunden. Prüfen Sie WLAN oder Kabel und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>This network requires you to sign in (hotel, airport or café Wi-Fi) before the VPN can connect. The VPN must be off while you sign in.</source>
        <translation>Dieses Netzwerk verlangt eine Anmeldung (WLAN im Hotel, am Flughafen oder im Café), bevor sich das VPN verbinden kann. Während der Anmeldung muss das VPN ausgeschaltet sein.</translation>
    </message>
    <message>
        <source>The account service did not answer, so your subscription could not be checked. This is usually temporary: try again in a moment.</source>
        <translation>Der Kontodienst hat nicht geantwortet, daher konnte Ihr Abonnement nicht geprüft werden. Das ist meist vorübergehend: Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>Your subscription has expired. Renew it to use the VPN.</source>
        <translation>Ihr Abonnement ist abgelaufen. Verlängern Sie es, um das VPN zu nutzen.</translation>
    </message>
    <message>
        <source>No subscription was found for this device. Subscribe to use the VPN.</source>
        <translation>Für dieses Gerät wurde kein Abonnement gefunden. Schließen Sie ein Abonnement ab, um das VPN zu nutzen.</translation>
    </message>
    <message>
        <source>The servers are reachable, but this network blocks VPN traffic (UDP). Try another network or ask its administrator.</source>
        <translation>Die Server sind erreichbar, aber dieses Netzwerk blockiert VPN-Datenverkehr (UDP). Versuchen Sie ein anderes Netzwerk oder fragen Sie dessen Administrator.</translation>
    </message>
    <message>
        <source>No server in this location is answering right now. Choose another location or try again.</source>
        <translation>Kein Server an diesem Standort antwortet gerade. Wählen Sie einen anderen Standort oder versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The app lost contact with the VPN service and is reconnecting. Your VPN connection, if on, keeps running.</source>
        <translation>Die App hat die Verbindung zum VPN-Dienst verloren und verbindet sich neu. Ihre VPN-Verbindung bleibt, falls eingeschaltet, bestehen.</translation>
    </message>
</context>
<context>
    <name>Lab</name>
    <message>
        <source>The lab refused: %1</source>
        <translation>Das Labor hat abgelehnt: %1</translation>
    </message>
    <message>
        <source>The lab is unreachable: %1</source>
        <translation>Das Labor ist nicht erreichbar: %1</translation>
    </message>
</context>
<context>
    <name>LabPanel</name>
    <message>
        <source>Network lab</source>
        <translation>Netzwerklabor</translation>
    </message>
    <message>
        <source>Subscription</source>
        <translation>Abonnement</translation>
    </message>
    <message>
        <source>Telemetry ingestion</source>
        <translation>Telemetrie-Annahme</translation>
    </message>
    <message>
        <source>&lt;b&gt;Simulated world.&lt;/b&gt; Nothing here touches your real network: switch a fault on and watch Mimic VPN react.</source>
        <translation>&lt;b&gt;Simulierte Welt.&lt;/b&gt; Nichts hier berührt Ihr echtes Netzwerk: Schalten Sie eine Störung ein und sehen Sie, wie Mimic VPN reagiert.</translation>
    </message>
    <message>
        <source>Simulated world. Nothing here touches your real network: switch a fault on and watch Mimic VPN react.</source>
        <translation>Simulierte Welt. Nichts hier berührt Ihr echtes Netzwerk: Schalten Sie eine Störung ein und sehen Sie, wie Mimic VPN reagiert.</translation>
    </message>
    <message>
        <source>Faults</source>
        <translation>Störungen</translation>
    </message>
    <message>
        <source>Internet is down</source>
        <translation>Internet ist ausgefallen</translation>
    </message>
    <message>
        <source>Captive portal on this network</source>
        <translation>Captive Portal in diesem Netzwerk</translation>
    </message>
    <message>
        <source>Firewall blocks VPN traffic (UDP)</source>
        <translation>Firewall blockiert VPN-Datenverkehr (UDP)</translation>
    </message>
    <message>
        <source>Account service is down</source>
        <translation>Kontodienst ist ausgefallen</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keines</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>In Betrieb</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Ausgefallen</translation>
    </message>
    <message>
        <source>Error (HTTP 500)</source>
        <translation>Fehler (HTTP 500)</translation>
    </message>
    <message>
        <source>Servers: down, added latency, packet loss</source>
        <translation>Server: Ausfall, zusätzliche Latenz, Paketverlust</translation>
    </message>
    <message>
        <source>%1 is down</source>
        <translation>%1 ist ausgefallen</translation>
    </message>
    <message>
        <source>%1 added latency</source>
        <translation>Zusätzliche Latenz von %1</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 packet loss</source>
        <translation>Paketverlust von %1</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Reset every condition</source>
        <translation>Alle Bedingungen zurücksetzen</translation>
    </message>
    <message>
        <source>Turns every fault off and every server back to health</source>
        <translation>Schaltet alle Störungen aus und bringt alle Server wieder in Ordnung</translation>
    </message>
</context>
<context>
    <name>LocationPicker</name>
    <message>
        <source>Select location</source>
        <translation>Standort wählen</translation>
    </message>
    <message>
        <source>Search locations</source>
        <translation>Standorte durchsuchen</translation>
    </message>
    <message>
        <source>Search countries and cities</source>
        <translation>Länder und Städte suchen</translation>
    </message>
    <message>
        <source>No location matches “%1”.</source>
        <translation>Kein Standort passt zu „%1“.</translation>
    </message>
    <message>
        <source>Locations</source>
        <translation>Standorte</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>Zuletzt verbunden</translation>
    </message>
</context>
<context>
    <name>LocationRow</name>
    <message>
        <source>good</source>
        <translation>gut</translation>
    </message>
    <message>
        <source>moderate</source>
        <translation>mittel</translation>
    </message>
    <message>
        <source>poor</source>
        <translation>schlecht</translation>
    </message>
    <message>
        <source>not measured yet</source>
        <translation>noch nicht gemessen</translation>
    </message>
    <message>
        <source>unavailable</source>
        <translation>nicht verfügbar</translation>
    </message>
    <message>
        <source>&lt;1 ms</source>
        <translation>&lt;1 ms</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>, selected</source>
        <translation>, ausgewählt</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>MVBanner</name>
    <message>
        <source>%1. %2</source>
        <translation>%1. %2</translation>
    </message>
</context>
<context>
    <name>MVModal</name>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>MVPanel</name>
    <message>
        <source>Close %1</source>
        <translation>%1 schließen</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Mimic VPN</source>
        <translation>Mimic VPN</translation>
    </message>
    <message>
        <source>Mimic VPN is starting</source>
        <translation>Mimic VPN wird gestartet</translation>
    </message>
    <message>
        <source>Mimic VPN cannot start</source>
        <translation>Mimic VPN kann nicht starten</translation>
    </message>
    <message>
        <source>Fix or remove the file, then start Mimic VPN again.</source>
        <translation>Korrigieren oder entfernen Sie die Datei und starten Sie Mimic VPN dann erneut.</translation>
    </message>
</context>
<context>
    <name>MainContent</name>
    <message>
        <source>Location</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Loading server list…</source>
        <translation>Serverliste wird geladen…</translation>
    </message>
    <message>
        <source>Opens the list of locations</source>
        <translation>Öffnet die Liste der Standorte</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>Umlaufzeit</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>Datenverkehr</translation>
    </message>
    <message>
        <source>Starting the VPN service…</source>
        <translation>VPN-Dienst wird gestartet…</translation>
    </message>
    <message>
        <source>Network lab</source>
        <translation>Netzwerklabor</translation>
    </message>
    <message>
        <source>Change the simulated world the app runs against</source>
        <translation>Die simulierte Welt ändern, in der die App läuft</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Turn off VPN</source>
        <translation>VPN ausschalten</translation>
    </message>
    <message>
        <source>Keep VPN on</source>
        <translation>VPN eingeschaltet lassen</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Open sign-in page</source>
        <translation>Anmeldeseite öffnen</translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation>%1. %2</translation>
    </message>
    <message>
        <source>%1. Pages may load slowly; the VPN stays on.</source>
        <translation>%1. Seiten laden eventuell langsam; das VPN bleibt eingeschaltet.</translation>
    </message>
    <message>
        <source>Turn off VPN and open the sign-in page</source>
        <translation>VPN ausschalten und Anmeldeseite öffnen</translation>
    </message>
    <message>
        <source>Manage subscription</source>
        <translation>Abonnement verwalten</translation>
    </message>
    <message>
        <source>Choose another location</source>
        <translation>Anderen Standort wählen</translation>
    </message>
</context>
<context>
    <name>Notification</name>
    <message>
        <source>the VPN</source>
        <translation>dem VPN</translation>
    </message>
    <message>
        <source>Your traffic goes through %1.</source>
        <translation>Ihr Datenverkehr läuft über %1.</translation>
    </message>
    <message>
        <source>Your traffic goes through Mimic VPN.</source>
        <translation>Ihr Datenverkehr läuft über Mimic VPN.</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <source>VPN disconnected</source>
        <translation>VPN getrennt</translation>
    </message>
    <message>
        <source>Your traffic no longer goes through Mimic VPN.</source>
        <translation>Ihr Datenverkehr läuft nicht mehr über Mimic VPN.</translation>
    </message>
    <message>
        <source>Connection moved to %1</source>
        <translation>Verbindung zu %1 verlegt</translation>
    </message>
    <message>
        <source>%1 stopped answering. The VPN stayed on.</source>
        <translation>%1 hat nicht mehr geantwortet. Das VPN blieb eingeschaltet.</translation>
    </message>
    <message>
        <source>This network wants you to sign in</source>
        <translation>Dieses Netzwerk verlangt eine Anmeldung</translation>
    </message>
    <message>
        <source>A captive portal blocks the VPN. Turn the VPN off to reach the network&apos;s sign-in page.</source>
        <translation>Ein Captive Portal blockiert das VPN. Schalten Sie das VPN aus, um die Anmeldeseite des Netzwerks zu erreichen.</translation>
    </message>
    <message>
        <source>Turn off VPN</source>
        <translation>VPN ausschalten</translation>
    </message>
    <message>
        <source>Internet connection lost</source>
        <translation>Internetverbindung verloren</translation>
    </message>
    <message>
        <source>The VPN stays on and carries your traffic again when the internet is back.</source>
        <translation>Das VPN bleibt eingeschaltet und leitet Ihren Datenverkehr wieder, sobald das Internet zurück ist.</translation>
    </message>
    <message>
        <source>Your traffic goes through %1 again.</source>
        <translation>Ihr Datenverkehr läuft wieder über %1.</translation>
    </message>
    <message>
        <source>Your traffic goes again.</source>
        <translation>Ihr Datenverkehr fließt wieder.</translation>
    </message>
    <message>
        <source>Internet connection back</source>
        <translation>Internetverbindung wieder da</translation>
    </message>
    <message>
        <source>VPN service stopped</source>
        <translation>VPN-Dienst angehalten</translation>
    </message>
    <message>
        <source>Mimic VPN lost its background service and is starting it again.</source>
        <translation>Mimic VPN hat seinen Hintergrunddienst verloren und startet ihn neu.</translation>
    </message>
    <message>
        <source>VPN service back</source>
        <translation>VPN-Dienst wieder da</translation>
    </message>
    <message>
        <source>Mimic VPN is linked to its background service again.</source>
        <translation>Mimic VPN ist wieder mit seinem Hintergrunddienst verbunden.</translation>
    </message>
    <message>
        <source>Subscription expired</source>
        <translation>Abonnement abgelaufen</translation>
    </message>
    <message>
        <source>Your subscription has expired. Renew it to use the VPN.</source>
        <translation>Ihr Abonnement ist abgelaufen. Verlängern Sie es, um das VPN zu nutzen.</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <source>Moved to another server</source>
        <translation>Zu einem anderen Server verlegt</translation>
    </message>
    <message>
        <source>Captive portal found while on</source>
        <translation>Captive Portal bei eingeschaltetem VPN</translation>
    </message>
    <message>
        <source>Internet lost and back while on</source>
        <translation>Internet weg und wieder da bei eingeschaltetem VPN</translation>
    </message>
    <message>
        <source>VPN service lost and back</source>
        <translation>VPN-Dienst weg und wieder da</translation>
    </message>
    <message>
        <source>Subscription expired</source>
        <translation>Abonnement abgelaufen</translation>
    </message>
    <message>
        <source>Launch at login</source>
        <translation>Bei der Anmeldung starten</translation>
    </message>
    <message>
        <source>Start minimised</source>
        <translation>Minimiert starten</translation>
    </message>
    <message>
        <source>Connect on launch (last location)</source>
        <translation>Beim Start verbinden (letzter Standort)</translation>
    </message>
    <message>
        <source>Keep running in the tray when closed</source>
        <translation>Nach dem Schließen im Infobereich weiterlaufen</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Send usage data</source>
        <translation>Nutzungsdaten senden</translation>
    </message>
    <message>
        <source>From the app and the VPN service</source>
        <translation>Von der App und vom VPN-Dienst</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Benachrichtigungen</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Checking your internet connection…</source>
        <translation>Ihre Internetverbindung wird geprüft…</translation>
    </message>
    <message>
        <source>Checking for a sign-in page on this network…</source>
        <translation>Es wird geprüft, ob dieses Netzwerk eine Anmeldeseite hat…</translation>
    </message>
    <message>
        <source>Checking your subscription…</source>
        <translation>Ihr Abonnement wird geprüft…</translation>
    </message>
    <message>
        <source>Checking whether this network blocks VPN traffic…</source>
        <translation>Es wird geprüft, ob dieses Netzwerk VPN-Datenverkehr blockiert…</translation>
    </message>
    <message>
        <source>Finding the fastest server in %1…</source>
        <translation>Schnellster Server in %1 wird gesucht…</translation>
    </message>
    <message>
        <source>Finding the fastest server…</source>
        <translation>Schnellster Server wird gesucht…</translation>
    </message>
    <message>
        <source>your location</source>
        <translation>Ihrem Standort</translation>
    </message>
    <message>
        <source>Status unknown</source>
        <translation>Status unbekannt</translation>
    </message>
    <message>
        <source>Reconnecting to the VPN service…</source>
        <translation>Verbindung zum VPN-Dienst wird wiederhergestellt…</translation>
    </message>
    <message>
        <source>VPN is off</source>
        <translation>VPN ist aus</translation>
    </message>
    <message>
        <source>The VPN could not be turned on</source>
        <translation>Das VPN konnte nicht eingeschaltet werden</translation>
    </message>
    <message>
        <source>Turn it on to protect your connection</source>
        <translation>Schalten Sie es ein, um Ihre Verbindung zu schützen</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>Traffic may not flow</source>
        <translation>Datenverkehr fließt möglicherweise nicht</translation>
    </message>
    <message>
        <source>Setting up a secure tunnel to %1</source>
        <translation>Sicherer Tunnel zu %1 wird aufgebaut</translation>
    </message>
    <message>
        <source>Disconnecting…</source>
        <translation>Verbindung wird getrennt…</translation>
    </message>
    <message>
        <source>Turning the VPN off</source>
        <translation>VPN wird ausgeschaltet</translation>
    </message>
    <message>
        <source>Switching…</source>
        <translation>Standort wird gewechselt…</translation>
    </message>
    <message>
        <source>Moving your connection to %1</source>
        <translation>Ihre Verbindung wird zu %1 verlegt</translation>
    </message>
    <message>
        <source>VPN is on</source>
        <translation>VPN ist an</translation>
    </message>
    <message>
        <source>Unstable connection</source>
        <translation>Instabile Verbindung</translation>
    </message>
    <message>
        <source>Secure and protected · %1</source>
        <translation>Sicher und geschützt · %1</translation>
    </message>
    <message>
        <source>Moved to %1: %2 stopped answering</source>
        <translation>Zu %1 verlegt: %2 hat nicht mehr geantwortet</translation>
    </message>
</context>
<context>
    <name>StatusHeader</name>
    <message>
        <source>Connected for %1</source>
        <translation>Verbindungsdauer: %1</translation>
    </message>
    <message>
        <source>VPN</source>
        <translation>VPN</translation>
    </message>
    <message>
        <source>Unavailable until the VPN service answers</source>
        <translation>Nicht verfügbar, bis der VPN-Dienst antwortet</translation>
    </message>
    <message>
        <source>On: press to turn the VPN off</source>
        <translation>An: Drücken schaltet das VPN aus</translation>
    </message>
    <message>
        <source>Off: press to turn the VPN on</source>
        <translation>Aus: Drücken schaltet das VPN ein</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <source>Connect to %1</source>
        <translation>Mit %1 verbinden</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>Fenster ausblenden</translation>
    </message>
    <message>
        <source>Show window</source>
        <translation>Fenster anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
</context>
</TS>
