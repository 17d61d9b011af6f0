pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import Mimic
import theme
import "../components"

// Countries and cities from the server list, each with the best round trip
// its servers answered the last probe with; the locations used last on top,
// a search field that filters as one types (São Paulo is found by "sao").
// Keyboard: the search field has the focus when it opens; Down and Up move
// through the list (from the field too), Return chooses, Escape closes, and
// typing anywhere in the list goes on in the search field.
MVPanel {
    id: root
    required property ConnectionManager manager
    // How many recently used locations head the list.
    readonly property int recentCount: 3

    title: qsTr("Select location")
    closeName: "locationPickerClose"
    initialFocus: search
    onAboutToShow: {
        search.text = ""
        rebuild()
        list.currentIndex = Math.max(0, selectedIndex())
        list.positionViewAtIndex(list.currentIndex, ListView.Center)
    }

    // Case and accents do not count: "sao" finds "São Paulo", "zur" "Zürich".
    function folded(text: string): string {
        return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    }

    // The rows shown: the recent locations (when not searching), then every
    // location that matches, by country.  The one place that reads the manager's list.
    function rebuild() {
        const keep = list.currentIndex >= 0 && list.currentIndex < rows.count ? rows.get(list.currentIndex).key : ""
        const all = root.manager.locations
        const needle = folded(search.text.trim())
        const byKey = {}
        rows.clear()
        for (const location of all)
            byKey[location.countryCode + "/" + location.cityCode] = location
        const row = (location, section, recent) => ({
            key: location.countryCode + "/" + location.cityCode,
            section: section,
            recent: recent,
            city: location.city,
            country: location.country,
            countryCode: location.countryCode,
            cityCode: location.cityCode,
            latencyMs: location.latencyMs,
            probed: location.probed,
            selected: location.selected
        })
        if (needle === "") {
            const recent = (root.manager.recentLocations || []).slice(0, root.recentCount)
            for (const key of recent) {
                if (byKey[key] !== undefined)
                    rows.append(row(byKey[key], qsTr("Recent"), true))
            }
        }
        for (const location of all) {
            if (needle === "" || folded(location.city).includes(needle) || folded(location.country).includes(needle))
                rows.append(row(location, location.country, false))
        }
        let index = 0
        for (let i = 0; i < rows.count; ++i) {
            if (rows.get(i).key === keep) {
                index = i
                break
            }
        }
        list.currentIndex = rows.count > 0 ? index : -1
    }

    function selectedIndex(): int {
        for (let i = 0; i < rows.count; ++i) {
            if (rows.get(i).selected)
                return i
        }
        return -1
    }

    function choose(index: int) {
        if (index < 0 || index >= rows.count)
            return
        const chosen = rows.get(index)
        const country = chosen.countryCode
        const city = chosen.cityCode
        root.close()
        root.manager.chooseLocation(country, city)
    }

    ListModel { id: rows }
    Connections {
        target: root.manager
        enabled: root.visible
        function onLocationsChanged() { root.rebuild() }
    }

    MVTextField {
        id: search
        objectName: "locationSearch"
        Layout.fillWidth: true
        Layout.leftMargin: Theme.spacing
        Layout.rightMargin: Theme.spacing
        label: qsTr("Search locations")
        placeholderText: qsTr("Search countries and cities")
        onTextChanged: root.rebuild()
        Keys.onDownPressed: {
            list.forceActiveFocus(Qt.TabFocusReason)
            if (list.currentIndex < 0 && rows.count > 0)
                list.currentIndex = 0
        }
        Keys.onUpPressed: list.forceActiveFocus(Qt.TabFocusReason)
        Keys.onReturnPressed: root.choose(list.currentIndex)
        Keys.onEnterPressed: root.choose(list.currentIndex)
    }
    MVText {
        objectName: "locationNoMatch"
        Layout.fillWidth: true
        Layout.margins: Theme.spacing
        visible: rows.count === 0 && search.text !== ""
        text: qsTr("No location matches “%1”.").arg(search.text)
        color: Theme.textMuted
    }
    ListView {
        id: list
        objectName: "locationList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.topMargin: Theme.smallSpacing / 2
        clip: true
        model: rows
        activeFocusOnTab: true
        keyNavigationEnabled: true
        highlightMoveDuration: 0
        currentIndex: -1
        boundsBehavior: Flickable.StopAtBounds
        T.ScrollBar.vertical: MVScrollBar {}
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Locations")
        Accessible.description: currentItem ? currentItem.Accessible.name + ", " + currentItem.Accessible.description : ""
        Keys.onReturnPressed: root.choose(currentIndex)
        Keys.onEnterPressed: root.choose(currentIndex)
        Keys.onSpacePressed: root.choose(currentIndex)
        // Typing in the list searches: the keys go on in the search field.
        Keys.onPressed: (event) => {
            // A printable character only: Escape, Tab and the like carry control characters.
            const printable = event.text.length === 1 && /[^\x00-\x20\x7f]/.test(event.text)
            if (printable && !(event.modifiers & (Qt.ControlModifier | Qt.AltModifier))) {
                search.forceActiveFocus(Qt.TabFocusReason)
                search.insert(search.cursorPosition, event.text)
                event.accepted = true
            }
        }
        section.property: "section"
        section.delegate: MVText {
            required property string section
            width: ListView.view.width
            leftPadding: Theme.spacing
            topPadding: Theme.smallSpacing
            bottomPadding: 4
            text: section
            textStyle: MVText.Label
            color: Theme.textMuted
        }
        delegate: LocationRow {
            required property int index
            required property var model
            // A recent location has two rows; the one under its country has the plain name.
            objectName: "location_" + model.countryCode + "_" + model.cityCode + (model.recent ? "_recent" : "")
            selected: model.selected
            width: ListView.view.width
            keyboardCurrent: ListView.isCurrentItem && list.activeFocus
            onClicked: root.choose(index)
        }
    }
}
