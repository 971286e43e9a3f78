// The write stream and the propagation of execution units: SELECT only when the database
// changes, MULTI/EXEC around units of more than one op (MULTI in the first op's db, EXEC in
// the last's so no SELECT is injected before it), offsets counting every byte.
#include <gtest/gtest.h>

#include "replication/propagation.h"
#include "replication/write_stream.h"

namespace snapstream {
namespace {

std::string cmd(std::initializer_list<std::string_view> argv) {
    std::string out = "*" + std::to_string(argv.size()) + "\r\n";
    for (std::string_view a : argv)
        out += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
    return out;
}

void add(Propagation& p, int db, std::initializer_list<std::string_view> argv) {
    p.add(db, std::span<const std::string_view>(argv.begin(), argv.size()));
}

TEST(WriteStream, SelectOnlyWhenTheDatabaseChanges) {
    WriteStream ws;
    ws.set_origin(std::string(40, 'a'), 100);
    const std::string_view set[] = {"SET", "k", "v"};
    ws.append(0, set);
    ws.append(0, set);
    ws.append(3, set);
    const std::string want = cmd({"SELECT", "0"}) + cmd({"SET", "k", "v"}) +
                             cmd({"SET", "k", "v"}) + cmd({"SELECT", "3"}) + cmd({"SET", "k", "v"});
    EXPECT_EQ(ws.pending(), want);
    EXPECT_EQ(ws.offset(), 100 + want.size());
    ws.clear_pending();
    ws.force_select();
    ws.append(3, set);
    EXPECT_EQ(ws.pending(), cmd({"SELECT", "3"}) + cmd({"SET", "k", "v"}));
    EXPECT_EQ(ws.offset(), 100 + want.size() + ws.pending().size());
}

TEST(Propagation, OneOpIsNotWrapped) {
    WriteStream ws;
    Propagation p;
    add(p, 0, {"SET", "k", "v"});
    p.flush(ws);
    EXPECT_EQ(ws.pending(), cmd({"SELECT", "0"}) + cmd({"SET", "k", "v"}));
    EXPECT_TRUE(p.empty());
    p.flush(ws);  // nothing collected: nothing emitted
    EXPECT_EQ(ws.pending(), cmd({"SELECT", "0"}) + cmd({"SET", "k", "v"}));
}

TEST(Propagation, SeveralOpsAreWrappedAcrossDatabases) {
    WriteStream ws;
    Propagation p;
    add(p, 2, {"DEL", "a"});
    add(p, 2, {"SET", "a", "1"});
    add(p, 5, {"INCR", "n"});
    p.flush(ws);
    EXPECT_EQ(ws.pending(), cmd({"SELECT", "2"}) + cmd({"MULTI"}) + cmd({"DEL", "a"}) +
                                cmd({"SET", "a", "1"}) + cmd({"SELECT", "5"}) + cmd({"INCR", "n"}) +
                                cmd({"EXEC"}));
}

TEST(Propagation, UnwrappedFlushEmitsEachOp) {
    WriteStream ws;
    Propagation p;
    add(p, 0, {"DEL", "a"});
    add(p, 0, {"DEL", "b"});
    p.flush(ws, /*wrap=*/false);
    EXPECT_EQ(ws.pending(), cmd({"SELECT", "0"}) + cmd({"DEL", "a"}) + cmd({"DEL", "b"}));
}

TEST(Propagation, DiscardForgets) {
    WriteStream ws;
    Propagation p;
    add(p, 0, {"DEL", "a"});
    p.discard();
    p.flush(ws);
    EXPECT_FALSE(ws.has_pending());
    EXPECT_EQ(ws.offset(), 0u);
}

}  // namespace
}  // namespace snapstream
