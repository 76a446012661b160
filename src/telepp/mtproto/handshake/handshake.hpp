#pragma once
/// \file The auth-key handshake in both roles and the temp-key binding (one include for all).

#include "telepp/mtproto/handshake/bind_temp_key.hpp"
#include "telepp/mtproto/handshake/client_handshake.hpp"
#include "telepp/mtproto/handshake/negotiated_key.hpp"
#include "telepp/mtproto/handshake/server_handshake.hpp"
