"""The lab's debug view: pings, clients, sessions and the report in a browser, live (``/debug``).

What Mozilla's Glean Debug Ping Viewer is to a Glean developer, for the
lab's ingestion: the clients seen, their pings per debug tag
(``X-Debug-ID``) in arrival order with their payloads, the decoder's
errors beside them, a session timeline per installation, and the session
report with its charts.  Pages are rendered on the server (Jinja, every
value escaped), charts are SVG drawn there too, and the browser refreshes
a page through Server-Sent Events when the edge stores a submission.

- ``arrivals``: what the edge announces, and to whom;
- ``store_reader``: reads of the store that hold up neither ingestion nor the loop;
- ``queries``: the clients, tags, pings and errors, from the store's tables;
- ``timeline``: session timelines per installation;
- ``charts``: the report's figures as bar charts;
- ``pages``: the pages and their regions; ``rendering``: the HTML;
- ``routes``: the HTTP routes (``DebugView``);
- ``system_check``: the browser its test drives.
"""
