#include "node/expire_table.h"

namespace snapstream {

size_t ExpireTable::find_slot(const Entry* e) const {
    if (cap_ == 0) return 0;
    size_t i = hash_ptr(e) & (cap_ - 1);
    while (slots_[i].entry) {
        if (slots_[i].entry == e) return i;
        i = (i + 1) & (cap_ - 1);
    }
    return cap_;
}

int64_t ExpireTable::get(const Entry* e) const {
    if (used_ == 0) return -1;
    size_t i = find_slot(e);
    return i == cap_ ? -1 : slots_[i].when;
}

void ExpireTable::set(Entry* e, int64_t when_ms) {
    if ((used_ + 1) * 4 > cap_ * 3) grow();
    size_t i = hash_ptr(e) & (cap_ - 1);
    while (slots_[i].entry && slots_[i].entry != e) i = (i + 1) & (cap_ - 1);
    if (!slots_[i].entry) {
        slots_[i].entry = e;
        ++used_;
    }
    slots_[i].when = when_ms;
}

bool ExpireTable::erase(const Entry* e) {
    if (used_ == 0) return false;
    size_t i = find_slot(e);
    if (i == cap_) return false;
    erase_at(i);
    // Keep the table at least 1/8 full so sampling stays cheap after mass deletions.
    if (cap_ > 64 && used_ * 8 < cap_) {
        std::unique_ptr<Slot[]> old = std::move(slots_);
        size_t old_cap = cap_;
        cap_ /= 2;
        slots_.reset(new Slot[cap_]);
        used_ = 0;
        for (size_t k = 0; k < old_cap; ++k)
            if (old[k].entry) set(old[k].entry, old[k].when);
    }
    return true;
}

void ExpireTable::erase_at(size_t i) {
    // Backward-shift deletion: move later members of the probe run into the hole.
    size_t hole = i;
    size_t j = i;
    for (;;) {
        j = (j + 1) & (cap_ - 1);
        if (!slots_[j].entry) break;
        size_t home = hash_ptr(slots_[j].entry) & (cap_ - 1);
        // Move j into the hole if its home position is not within (hole, j] cyclically.
        bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            slots_[hole] = slots_[j];
            hole = j;
        }
    }
    slots_[hole] = Slot{};
    --used_;
}

void ExpireTable::grow() {
    size_t new_cap = cap_ == 0 ? 16 : cap_ * 2;
    std::unique_ptr<Slot[]> old = std::move(slots_);
    size_t old_cap = cap_;
    slots_.reset(new Slot[new_cap]);
    cap_ = new_cap;
    used_ = 0;
    for (size_t k = 0; k < old_cap; ++k)
        if (old[k].entry) set(old[k].entry, old[k].when);
}

}  // namespace snapstream
