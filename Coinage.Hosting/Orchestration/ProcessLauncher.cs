using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Coinage.Hosting.Orchestration;

/// <summary>
/// Starts child processes so that they die with the AppHost, even when it is killed: each child
/// runs under <c>setsid setpriv --pdeathsig KILL</c>. The kernel sends that signal when the *thread*
/// that forked the child exits, so every child is forked from one long-lived thread owned by
/// this class, which ends only when the launcher is disposed (after everything was stopped).
/// </summary>
public sealed partial class ProcessLauncher : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> _queue = new();
    private readonly Thread _thread;

    public ProcessLauncher()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "coinage-process-launcher" };
        _thread.Start();
    }

    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    /// <summary>Starts <paramref name="spec"/>; output lines go to <paramref name="onLine"/> (text, isError).</summary>
    public async Task<Process> StartAsync(ProcessSpec spec, Action<string, bool> onLine, Action<Process>? onExit = null)
    {
        // setsid: a session of its own, so a Ctrl-C in the terminal reaches only the AppHost, which
        // then stops the children in reverse dependency order. setpriv: the death signal, and the
        // switch to an unprivileged user where needed.
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // children must not read the AppHost's terminal
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add("setpriv");
        if (spec.User is { } user && IsRoot)
        {
            foreach (var arg in (string[])["--reuid", user, "--regid", user, "--init-groups"])
            {
                info.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in (string[])["--pdeathsig", "KILL", "--", spec.FileName, .. spec.Arguments])
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in spec.Environment)
        {
            info.Environment[name] = value;
        }

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((info, started));
        var process = await started.Task.ConfigureAwait(false);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data, false); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data, true); };
        process.EnableRaisingEvents = true;
        if (onExit is not null)
        {
            process.Exited += (_, _) => onExit(process);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs a short command (initdb, ...) to completion, returning its exit code.</summary>
    public async Task<int> RunToCompletionAsync(ProcessSpec spec, Action<string, bool> onLine, CancellationToken cancellationToken)
    {
        using var process = await StartAsync(spec, onLine).ConfigureAwait(false);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process is already gone.</summary>
    public static bool Signal(Process process, int signal)
    {
        try
        {
            return !process.HasExited && kill(process.Id, signal) == 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Graceful stop: the spec's signal, then SIGKILL after <paramref name="timeout"/>.</summary>
    public static async Task StopAsync(Process process, int signal, TimeSpan timeout)
    {
        if (!Signal(process, signal))
        {
            return;
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }

    private void Loop()
    {
        foreach (var (info, started) in _queue.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(info)!);
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
