using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Coinage.Hosting.Run;

/// <summary>
/// Ports free now on 127.0.0.1, for resources that bind them seconds later (tests, <c>--Coinage:FreePorts=true</c>).
/// </summary>
/// <remarks>
/// Not the kernel's pick (port 0): that comes from the ephemeral range every outgoing connection takes its local port
/// from, so under load (tests starting several AppHosts, each opening hundreds of connections) a client socket can take
/// the port before the resource binds it ("Address already in use"). Below that range only listeners compete, and
/// those are other AppHosts choosing the same way, in other processes (the test assemblies run side by side, and the
/// end-to-end tests start AppHosts as processes): a port is therefore claimed machine-wide, by a file of its own,
/// until its resource has surely bound it. Without the claim two AppHosts starting together could each pick a port
/// neither had bound yet, and one of them would find it taken, or its dashboard link would open the other's dashboard.
/// </remarks>
internal static class FreePorts
{
    /// <summary>Where <see cref="Next"/> looks: below the ephemeral ranges of Linux (32768+), Windows and macOS (49152+).</summary>
    public const int Low = 20000, High = 32767;

    /// <summary>How long a claim keeps a port from other processes: far longer than any resource takes to bind it.</summary>
    public static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The folder of the machine-wide claims, one empty file per port.</summary>
    public static string ClaimDirectory { get; } = Path.Combine(Path.GetTempPath(), "coinage-ports");

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A port no listener has and no other process claimed in the last <see cref="ClaimLifetime"/>; never the same twice in one process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Low, High + 1);
            lock (HandedOut)
            {
                if (HandedOut.Contains(port) || !CanBind(port) || !TryClaim(port))
                {
                    continue;
                }
                HandedOut.Add(port);
                return port;
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0); // a crowded range: the kernel's pick after all
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates the port's claim file exclusively (one process wins); a stale claim is removed and contested again. A
    /// folder that cannot be written leaves only the in-process guard.
    /// </summary>
    internal static bool TryClaim(int port, string? directory = null)
    {
        directory ??= ClaimDirectory;
        var claim = Path.Combine(directory, port.ToString(CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(directory);
            if (File.Exists(claim) && DateTime.UtcNow - File.GetLastWriteTimeUtc(claim) > ClaimLifetime)
            {
                File.Delete(claim);
            }
            using (new FileStream(claim, FileMode.CreateNew, FileAccess.Write))
            {
            }
            return true;
        }
        catch (IOException) when (File.Exists(claim))
        {
            return false; // claimed by another process meanwhile, or still fresh
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
