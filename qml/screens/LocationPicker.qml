pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Templates as T
import Mimic
import theme
import "../components"

// Countries and cities from the server list, each with the best round trip
// its servers answered the last probe with; the locations connected to last on top,
// a search field that filters as one types (São Paulo is found by "sao").
// Keyboard: the search field has the focus when it opens; Down and Up move
// through the list (from the field too), Return chooses, Escape closes, and
// typing anywhere in the list goes on in the search field.
MVPanel {
    id: root
    required property ConnectionManager manager

    title: qsTr("Select location")
    closeName: "locationPickerClose"
    initialFocus: search
    onAboutToShow: {
        search.text = ""
        list.currentIndex = Math.max(0, found.selectedRow())
        list.positionViewAtIndex(list.currentIndex, ListView.Center)
    }

    function choose(index: int) {
        const row = list.itemAtIndex(index) as LocationRow
        if (row === null)
            return
        const country = row.countryCode
        const city = row.cityCode
        root.close()
        root.manager.chooseLocation(country, city)
    }

    // The rows: the recent locations (while nothing is searched), then every
    // location that matches, by country (vpnui/location_search.py, over the
    // manager's list model: rows change in place, none is rebuilt).
    LocationSearch {
        id: found
        locations: root.manager.locations
        search: search.text
        // Typing moves the keyboard's position to the first match.
        onSearchChanged: list.currentIndex = list.count > 0 ? 0 : -1
    }

    MVTextField {
        id: search
        objectName: "locationSearch"
        Layout.fillWidth: true
        Layout.leftMargin: Theme.spacing
        Layout.rightMargin: Theme.spacing
        label: qsTr("Search locations")
        placeholderText: qsTr("Search countries and cities")
        Keys.onDownPressed: {
            list.forceActiveFocus(Qt.TabFocusReason)
            if (list.currentIndex < 0 && list.count > 0)
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
        visible: list.count === 0 && search.text !== ""
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
        model: found
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
            // A recent location has two rows; the one under its country has the plain name.
            objectName: "location_" + countryCode + "_" + cityCode + (recentEntry ? "_recent" : "")
            width: ListView.view.width
            keyboardCurrent: ListView.isCurrentItem && list.activeFocus
            onClicked: root.choose(index)
        }
    }
}
