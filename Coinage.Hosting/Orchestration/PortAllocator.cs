using System.Net;
using System.Net.Sockets;

namespace Coinage.Hosting.Orchestration;

/// <summary>Finds free loopback ports and checks that pinned ones are free.</summary>
public static class PortAllocator
{
    /// <summary>A port the kernel says is free now; not reused within this process.</summary>
    public static int GetFreePort(ISet<int> taken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (taken.Add(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException("Could not find a free TCP port on 127.0.0.1.");
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
