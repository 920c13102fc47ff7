extension StatusReport {
    /// Each scheduler's row says how much of it is in use: slots on a local scheduler, CPUs of
    /// its partition on a cluster (`reachable, 3 used, 1 free of 4 (debug)`). A scheduler that
    /// was reachable for its attempts but not for its queues keeps its row as it was.
    public mutating func show(_ slots: [SchedulerSlots]) {
        schedulerSlots = slots
        for slot in slots {
            guard let index = rows.firstIndex(where: { $0.id == ResourceID(.scheduler, slot.scheduler) }),
                  rows[index].observed == "reachable" else { continue }
            rows[index].observed = "reachable, \(slot.used) used, \(slot.free) free of \(slot.total)"
                + (slot.partition.map { " (\($0))" } ?? "")
        }
    }
}
