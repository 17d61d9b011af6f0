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
        <source>%1 ms, %2% loss</source>
        <translation>%1 ms, %2 % Verlust</translation>
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
        <source>This network requires you to sign in (hotel, airport or café Wi-Fi). Open the sign-in page, then the VPN can connect.</source>
        <translation>In diesem Netzwerk müssen Sie sich anmelden (WLAN in Hotel, Flughafen oder Café). Öffnen Sie die Anmeldeseite, dann kann sich das VPN verbinden.</translation>
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
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Change the simulated world and watch the client react.</source>
        <translation>Ändern Sie die simulierte Welt und beobachten Sie, wie der Client reagiert.</translation>
    </message>
    <message>
        <source>Internet connection</source>
        <translation>Internetverbindung</translation>
    </message>
    <message>
        <source>Captive portal</source>
        <translation>Captive Portal</translation>
    </message>
    <message>
        <source>Firewall blocks VPN (UDP)</source>
        <translation>Firewall blockiert VPN (UDP)</translation>
    </message>
    <message>
        <source>Account service up</source>
        <translation>Kontodienst erreichbar</translation>
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
        <source>Servers</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>%1 up</source>
        <translation>%1 in Betrieb</translation>
    </message>
    <message>
        <source>%1 added latency</source>
        <translation>Zusätzliche Latenz von %1</translation>
    </message>
    <message>
        <source>%1 packet loss</source>
        <translation>Paketverlust von %1</translation>
    </message>
    <message>
        <source>Reset every condition</source>
        <translation>Alle Bedingungen zurücksetzen</translation>
    </message>
</context>
<context>
    <name>LocationPicker</name>
    <message>
        <source>Select location</source>
        <translation>Standort wählen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
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
</context>
<context>
    <name>MVStabilityIndicator</name>
    <message>
        <source>Unstable connection: %1</source>
        <translation>Instabile Verbindung: %1</translation>
    </message>
    <message>
        <source>Unstable connection — %1. Pages may load slowly; the VPN stays on.</source>
        <translation>Instabile Verbindung – %1. Seiten laden eventuell langsam; das VPN bleibt eingeschaltet.</translation>
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
        <source>Lost contact with the VPN service. Reconnecting…</source>
        <translation>Verbindung zum VPN-Dienst verloren. Neuer Verbindungsversuch…</translation>
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
        <source>Close</source>
        <translation>Schließen</translation>
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
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Send usage data (app and VPN service)</source>
        <translation>Nutzungsdaten senden (App und VPN-Dienst)</translation>
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
        <source>VPN is off</source>
        <translation>VPN ist aus</translation>
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
        <source>%1: traffic may not flow</source>
        <translation>%1: Datenverkehr fließt eventuell nicht</translation>
    </message>
    <message>
        <source>Unstable connection — %1</source>
        <translation>Instabile Verbindung – %1</translation>
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
        <source>Turn VPN off</source>
        <translation>VPN ausschalten</translation>
    </message>
    <message>
        <source>Turn VPN on</source>
        <translation>VPN einschalten</translation>
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
