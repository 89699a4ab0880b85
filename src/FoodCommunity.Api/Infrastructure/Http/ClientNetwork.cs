using System.Net;
using System.Net.Sockets;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>
/// The network a request comes from, as rate limits count it: an IPv4 address, or the /64 of an
/// IPv6 address (one home or phone gets a whole /64 and can pick any address in it at will).
/// The address is the one ForwardedHeaders settled on, so behind the ALB it is the client's.
/// </summary>
public static class ClientNetwork
{
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }
}
