package dev.vecgpt.model.serve;

import java.util.List;

/**
 * A completion's text as its pieces come, cut before the first of its stop strings: {@link #add} returns
 * what may be sent now, and holds back a tail that could be the start of a stop string until the next
 * piece tells.
 */
final class StopText {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopText(List<String> stops) {
        this.stops = stops;
    }

    /** Appends {@code piece}; returns the text that can be sent (all of it up to a stop string, if one appeared). */
    String add(String piece) {
        if (stopped) {
            return "";
        }
        held.append(piece);
        String text = held.toString();
        int cut = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            held.setLength(0);
            return text.substring(0, cut);
        }
        int keep = 0;
        for (String stop : stops) {
            for (int length = Math.min(stop.length() - 1, text.length()); length > keep; length--) {
                if (text.regionMatches(text.length() - length, stop, 0, length)) {
                    keep = length;
                    break;
                }
            }
        }
        held.delete(0, text.length() - keep);
        return text.substring(0, text.length() - keep);
    }

    /** True once a stop string appeared: the completion ends there. */
    boolean stopped() {
        return stopped;
    }

    /** The text held back, at the end of the completion. */
    String rest() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }
}
