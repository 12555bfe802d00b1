//! Network fixtures shared by the CLI and client tests.

/// A loopback address where connections are refused: a socket bound to it that never listens.
/// Keep the socket alive while the address is used, so that no other process can take the port.
pub fn refusing_address() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    (socket, address)
}
