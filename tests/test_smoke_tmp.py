from tests.wire import BoardClient, stroke

async def test_two_clients(server, board_id, clients):
    a = BoardClient(server.ws_url(board_id)); b = BoardClient(server.ws_url(board_id))
    clients += [a, b]
    await a.join(); await b.join()
    op = stroke()
    await a.submit(op)
    ack = await a.expect("ack", id=op.id)
    got = await b.expect("committed", seq=ack.seq)
    assert got.op == op
