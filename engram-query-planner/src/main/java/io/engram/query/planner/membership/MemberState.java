package io.engram.query.planner.membership;

/** What the membership protocol believes of a node. */
public enum MemberState {
    /** Answered, directly or through another node, or refuted a suspicion. */
    ALIVE,
    /** Did not answer a probe, directly or indirectly; still used, and declared dead if no refutation comes in time. */
    SUSPECT,
    /** Suspected for longer than the suspicion timeout: reported unreachable until it proves it lives. */
    DEAD;

    /** The lower-case name used on the wire and in health. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
