import QtQuick
import QtQuick.Templates as T

// What every panel and modal shares: when it closes, the keyboard focus goes
// back to where it was when it opened (Qt Quick does that), with its focus
// ring when the keyboard had put it there.  Qt gives the focus back for a
// popup's closing, not for a Tab, so the control's visualFocus stayed false
// and a keyboard user no longer saw where the focus was.
T.Popup {
    id: root
    property Item returnFocusTo: null
    property bool returnFocusRing: false

    onAboutToShow: {
        const focused = root.parent ? root.parent.Window.activeFocusItem : null
        root.returnFocusTo = focused
        root.returnFocusRing = (focused as T.Control)?.visualFocus ?? false
    }
    onClosed: {
        if (!root.returnFocusTo || !root.returnFocusRing)
            return
        // By the time this runs Qt may have given the focus back already, and
        // forcing the focus onto the item that has it changes nothing: the
        // reason is set instead (a control's visualFocus follows it).
        const control = root.returnFocusTo as T.Control
        if (control && control.activeFocus)
            control.focusReason = Qt.TabFocusReason
        else
            root.returnFocusTo.forceActiveFocus(Qt.TabFocusReason)
    }
}
