// MnistDownloader: fetches the MNIST files that are missing from a folder, trying public mirrors in
// order. Each file streams into "<name>.<random>.tmp" in the target folder while its MD5 is computed,
// and is renamed into place only when the MD5 matches, so a failed or cancelled download leaves
// nothing behind. It does not check files already present (copies re-compressed locally have other
// MD5s), does not decompress, retry a mirror or resume a partial download. A body longer than the
// file's known size is cut off as soon as it passes it.
using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace MnistBp.Data;

/// <summary>
/// Downloads the files of a dataset (by default the four MNIST files, <see cref="Mnist.Files"/>) into a
/// folder, from the first mirror that serves each one with the expected MD5.
/// </summary>
/// <remarks>
/// <para>
/// For each file missing from the folder (neither <c>name</c> nor, for <c>name.gz</c>, the raw
/// <c>name</c> exists: see <see cref="Mnist.FindFile"/>), the mirrors are tried in order. A mirror
/// fails for that file on an HTTP error status, a network error, a response shorter than announced,
/// a response longer than the file's <see cref="MnistFileInfo.MaxBytes"/> (refused at the headers when
/// announced, else as soon as the limit is passed, so an endless body never fills the disk), a wait longer than <see cref="Timeout"/> for the next bytes, or an MD5 that differs from
/// <see cref="MnistFileInfo.Md5"/>; the next mirror is then tried. When every mirror fails, a
/// <see cref="MnistDownloadException"/> lists each failure and says where to put the files by hand.
/// </para>
/// <para>
/// Writes are atomic: the bytes go to a temporary file in the target folder, which is renamed to the
/// final name only after its MD5 matches, and deleted on any failure or cancellation.
/// </para>
/// </remarks>
public sealed class MnistDownloader
{
    /// <summary>The default <see cref="Timeout"/>: 60 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private const int BufferSize = 1 << 16;
    private const long ProgressInterval = 1 << 20; // report Receiving at most once per MiB

    // One client for the whole process (the documented way to use HttpClient). Its own timeout is off:
    // the per-request Timeout below bounds every wait instead. No automatic decompression: the MD5 is
    // that of the bytes as served.
    private static readonly Lazy<HttpClient> s_defaultClient = new(() => new HttpClient(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    });

    private readonly HttpClient _httpClient;

    /// <summary>Creates a downloader.</summary>
    /// <param name="httpClient">The client to send requests with; null for a shared client made for this purpose. It is not disposed.</param>
    /// <param name="mirrors">Absolute http or https base addresses, tried in order; a file's address is the base plus its name. Null for <see cref="Mnist.Mirrors"/>.</param>
    /// <param name="files">The files to fetch and their MD5s; null for the four MNIST files, <see cref="Mnist.Files"/>.</param>
    /// <param name="timeout">The longest wait for a server to answer or to send the next bytes, after which that mirror counts as failed; null for <see cref="DefaultTimeout"/>.</param>
    /// <exception cref="ArgumentException">There are no mirrors, a mirror is not an absolute http(s) address, a file name contains a folder, or an MD5 is not 32 hexadecimal digits.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative (other than <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>).</exception>
    public MnistDownloader(HttpClient? httpClient = null, IReadOnlyList<Uri>? mirrors = null, IReadOnlyList<MnistFileInfo>? files = null, TimeSpan? timeout = null)
    {
        _httpClient = httpClient ?? s_defaultClient.Value;
        Mirrors = ValidateMirrors(mirrors ?? Mnist.Mirrors);
        Files = ValidateFiles(files ?? Mnist.Files);
        Timeout = timeout ?? DefaultTimeout;
        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan && Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), Timeout, "The timeout must be positive, or Timeout.InfiniteTimeSpan.");
        }
    }

    /// <summary>The base addresses tried in order, each ending with '/'.</summary>
    public IReadOnlyList<Uri> Mirrors { get; }

    /// <summary>The files this downloader fetches, with their expected MD5s.</summary>
    public IReadOnlyList<MnistFileInfo> Files { get; }

    /// <summary>The longest wait for a server to answer or to send the next bytes before that mirror counts as failed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>
    /// Downloads every file of <see cref="Files"/> that is missing from <paramref name="directory"/>,
    /// creating the folder if needed. Files already there, gzip or raw, are left untouched and not checked.
    /// </summary>
    /// <param name="directory">The folder to fill.</param>
    /// <param name="progress">Receives a report when a download starts, as bytes arrive (about once per MiB), when it completes and when a mirror fails; null for none.</param>
    /// <param name="cancellationToken">Cancels the download; the temporary file of the file in progress is deleted.</param>
    /// <returns>The full paths of the files downloaded (empty when none was missing).</returns>
    /// <exception cref="MnistDownloadException">Every mirror failed for a file, or the folder cannot be created; the message lists the failures and where to put the files.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<string>> EnsureFilesAsync(string directory, IProgress<MnistDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string fullDirectory = Path.GetFullPath(directory);
        var missing = Files.Where(file => Mnist.FindFile(fullDirectory, file.FileName) is null).ToList();
        if (missing.Count == 0)
        {
            return [];
        }

        try
        {
            Directory.CreateDirectory(fullDirectory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            string reason = $"the folder cannot be created ({exception.Message})";
            throw new MnistDownloadException(DescribeFailure(fullDirectory, missing[0].FileName, [reason]), fullDirectory, missing[0].FileName, [reason], exception);
        }

        var downloaded = new List<string>(missing.Count);
        foreach (MnistFileInfo file in missing)
        {
            downloaded.Add(await DownloadAsync(file, fullDirectory, progress, cancellationToken).ConfigureAwait(false));
        }

        return downloaded;
    }

    /// <summary>Downloads one file into <paramref name="directory"/> from the first mirror that serves it with the right MD5; returns its full path.</summary>
    private async Task<string> DownloadAsync(MnistFileInfo file, string directory, IProgress<MnistDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string finalPath = Path.Combine(directory, file.FileName);
        var failures = new List<string>(Mirrors.Count);
        foreach (Uri mirror in Mirrors)
        {
            var address = new Uri(mirror, file.FileName);
            string? failure = await TryDownloadAsync(file, address, finalPath, progress, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                return finalPath;
            }

            failures.Add($"{address}: {failure}");
            progress?.Report(new MnistDownloadProgress(file.FileName, address, MnistDownloadStage.Failed, 0, null, failure));
        }

        throw new MnistDownloadException(DescribeFailure(directory, file.FileName, failures), directory, file.FileName, failures);
    }

    /// <summary>One attempt from one mirror: null on success (the file is in place), else why it failed.</summary>
    private async Task<string?> TryDownloadAsync(MnistFileInfo file, Uri address, string finalPath, IProgress<MnistDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        // "<name>.<random>.tmp" in the same folder, so the final rename never crosses file systems.
        string tempPath = $"{finalPath}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp";
        bool moved = false;

        // Cancelled by the caller's token, or by the timeout, which restarts whenever bytes arrive.
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            request.Headers.UserAgent.ParseAdd("MnistBp");
            using HttpResponseMessage response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()})");
            }

            long? totalBytes = response.Content.Headers.ContentLength;
            if (totalBytes > file.MaxBytes)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"the server announces {totalBytes} bytes, more than the {file.MaxBytes} bytes {file.FileName} can be; nothing was downloaded");
            }

            progress?.Report(new MnistDownloadProgress(file.FileName, address, MnistDownloadStage.Started, 0, totalBytes));

            long received = 0;
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            Stream body = await response.Content.ReadAsStreamAsync(attempt.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var output = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
                await using (output.ConfigureAwait(false))
                {
                    byte[] buffer = new byte[BufferSize];
                    long lastReport = 0;
                    int read;
                    // Never more than one byte past the cap: an endless body stops there.
                    while ((read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, file.MaxBytes + 1 - received)), attempt.Token).ConfigureAwait(false)) > 0)
                    {
                        attempt.CancelAfter(Timeout);
                        if (received + read > file.MaxBytes)
                        {
                            return string.Create(CultureInfo.InvariantCulture,
                                $"the response is longer than the {file.MaxBytes} bytes {file.FileName} can be; stopped after {received + read} bytes and rejected");
                        }

                        // Hash the bytes as they are written: no second pass over the file.
                        md5.AppendData(buffer, 0, read);
                        await output.WriteAsync(buffer.AsMemory(0, read), attempt.Token).ConfigureAwait(false);
                        received += read;
                        if (received - lastReport >= ProgressInterval)
                        {
                            lastReport = received;
                            progress?.Report(new MnistDownloadProgress(file.FileName, address, MnistDownloadStage.Receiving, received, totalBytes));
                        }
                    }
                }
            }

            if (totalBytes is long expectedLength && received != expectedLength)
            {
                return string.Create(CultureInfo.InvariantCulture, $"the response ended after {received} of {expectedLength} bytes");
            }

            string actualMd5 = Convert.ToHexStringLower(md5.GetHashAndReset());
            if (!string.Equals(actualMd5, file.Md5, StringComparison.OrdinalIgnoreCase))
            {
                return string.Create(CultureInfo.InvariantCulture, $"MD5 checksum mismatch: expected {file.Md5.ToLowerInvariant()}, got {actualMd5} for {received} bytes; the file was rejected");
            }

            File.Move(tempPath, finalPath, overwrite: true);
            moved = true;
            progress?.Report(new MnistDownloadProgress(file.FileName, address, MnistDownloadStage.Completed, received, totalBytes));
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's cancellation: our timeout, or the HttpClient's own.
            return $"timed out: no answer or no new bytes for {DescribeTimeout(Timeout)}";
        }
        catch (HttpRequestException exception)
        {
            return $"network error: {DescribeException(exception)}";
        }
        catch (IOException exception)
        {
            // The connection broke while reading the body, or the temporary file could not be written.
            return $"I/O error: {DescribeException(exception)}";
        }
        catch (UnauthorizedAccessException exception)
        {
            return $"cannot write '{tempPath}': {exception.Message}";
        }
        finally
        {
            if (!moved)
            {
                TryDelete(tempPath);
            }
        }
    }

    private string DescribeFailure(string directory, string fileName, IReadOnlyList<string> failures)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Could not download {fileName} into '{directory}'.");
        foreach (string failure in failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  - {failure}");
        }

        string names = string.Join(", ", Files.Select(f => f.FileName));
        text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}Put the {Files.Count} files {names} (gzip-compressed as on the mirrors, or decompressed without the .gz) into '{directory}', ");
        text.Append(CultureInfo.InvariantCulture, $"or set the environment variable {Mnist.EnvironmentVariable} to a folder that has them.");
        return text.ToString();
    }

    private static string DescribeTimeout(TimeSpan timeout) =>
        timeout == System.Threading.Timeout.InfiniteTimeSpan ? "ever" : timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string DescribeException(Exception exception)
    {
        string message = exception.Message;
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!message.Contains(inner.Message, StringComparison.Ordinal))
            {
                message += $" ({inner.Message})";
            }
        }

        return message;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort: the file may be in use by an anti-virus scanner; it has a .tmp name.
        }
    }

    private static Uri[] ValidateMirrors(IReadOnlyList<Uri> mirrors)
    {
        ArgumentNullException.ThrowIfNull(mirrors);
        if (mirrors.Count == 0)
        {
            throw new ArgumentException("At least one mirror is needed.", nameof(mirrors));
        }

        var result = new Uri[mirrors.Count];
        for (int i = 0; i < mirrors.Count; i++)
        {
            Uri mirror = mirrors[i] ?? throw new ArgumentException($"Mirror {i} is null.", nameof(mirrors));
            if (!mirror.IsAbsoluteUri || (mirror.Scheme != Uri.UriSchemeHttp && mirror.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"Mirror {i}, '{mirror}', is not an absolute http or https address.", nameof(mirrors));
            }

            // A base without the final '/' would lose its last segment when the file name is appended.
            result[i] = mirror.AbsoluteUri.EndsWith('/') ? mirror : new Uri(mirror.AbsoluteUri + "/");
        }

        return result;
    }

    private static MnistFileInfo[] ValidateFiles(IReadOnlyList<MnistFileInfo> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var result = new MnistFileInfo[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            MnistFileInfo file = files[i] ?? throw new ArgumentException($"File {i} is null.", nameof(files));
            if (string.IsNullOrWhiteSpace(file.FileName) || Path.GetFileName(file.FileName) != file.FileName || file.FileName.Contains('/', StringComparison.Ordinal))
            {
                throw new ArgumentException($"File {i}: '{file.FileName}' is not a plain file name.", nameof(files));
            }

            if (file.MaxBytes <= 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"File {i} ({file.FileName}): MaxBytes is {file.MaxBytes}; it must be positive."), nameof(files));
            }

            if (file.Md5 is null || file.Md5.Length != 32 || !file.Md5.All(char.IsAsciiHexDigit))
            {
                throw new ArgumentException($"File {i} ({file.FileName}): '{file.Md5}' is not an MD5 of 32 hexadecimal digits.", nameof(files));
            }

            result[i] = file;
        }

        return result;
    }
}

/// <summary>A file to download, the MD5 of its bytes as served, in hexadecimal, and the most bytes it can have.</summary>
/// <param name="FileName">The file name, appended to each mirror's address, such as <c>t10k-labels-idx1-ubyte.gz</c>.</param>
/// <param name="Md5">The expected MD5 of the downloaded bytes: 32 hexadecimal digits, either case.</param>
public sealed record MnistFileInfo(string FileName, string Md5)
{
    /// <summary>The default <see cref="MaxBytes"/>: twice the largest MNIST file (<c>train-images-idx3-ubyte.gz</c>, 9,912,422 bytes).</summary>
    public const long DefaultMaxBytes = 2 * 9_912_422;

    /// <summary>
    /// The most bytes a mirror may send for this file; a response announced or found longer fails that
    /// mirror as soon as the limit is passed, before more is written to disk. <see cref="Mnist.Files"/> sets
    /// each MNIST file's exact size (its MD5 fixes it); the default is <see cref="DefaultMaxBytes"/>.
    /// </summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;
}

/// <summary>What a <see cref="MnistDownloadProgress"/> report is about.</summary>
public enum MnistDownloadStage
{
    /// <summary>The mirror answered; bytes are about to arrive.</summary>
    Started,

    /// <summary>Bytes are arriving (reported about once per MiB).</summary>
    Receiving,

    /// <summary>The file arrived, its MD5 matched and it is in place.</summary>
    Completed,

    /// <summary>This mirror failed for this file (see <see cref="MnistDownloadProgress.Failure"/>); the next one is tried.</summary>
    Failed,
}

/// <summary>A progress report from <see cref="MnistDownloader"/>; its <see cref="ToString"/> is one line for a console.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="Address">The full address it is downloaded from: mirror plus file name.</param>
/// <param name="Stage">What happened.</param>
/// <param name="BytesReceived">The bytes received so far from this address.</param>
/// <param name="TotalBytes">The length the server announced, if it did.</param>
/// <param name="Failure">Why this mirror failed, when <paramref name="Stage"/> is <see cref="MnistDownloadStage.Failed"/>.</param>
public sealed record MnistDownloadProgress(string FileName, Uri Address, MnistDownloadStage Stage, long BytesReceived, long? TotalBytes, string? Failure = null)
{
    /// <summary>One line, such as <c>train-images-idx3-ubyte.gz: 2.0 of 9.9 MB from https://...</c>.</summary>
    /// <returns>The report as text.</returns>
    public override string ToString()
    {
        string size = TotalBytes is long total
            ? string.Create(CultureInfo.InvariantCulture, $"{BytesReceived / 1e6:0.0} of {total / 1e6:0.0} MB")
            : string.Create(CultureInfo.InvariantCulture, $"{BytesReceived / 1e6:0.0} MB");
        return Stage switch
        {
            MnistDownloadStage.Started => $"{FileName}: downloading from {Address}",
            MnistDownloadStage.Receiving => $"{FileName}: {size} from {Address}",
            MnistDownloadStage.Completed => $"{FileName}: done, {size}, MD5 checked, from {Address}",
            _ => $"{FileName}: {Address} failed: {Failure}",
        };
    }
}

/// <summary>Thrown when a file could not be downloaded from any mirror; the message lists each mirror's failure and says where to put the files by hand.</summary>
public sealed class MnistDownloadException : IOException
{
    /// <summary>Creates the exception with a generic message and no folder or file.</summary>
    public MnistDownloadException()
        : this("An MNIST file could not be downloaded.")
    {
    }

    /// <summary>Creates the exception with a message and no folder or file.</summary>
    /// <param name="message">The full explanation.</param>
    public MnistDownloadException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    /// <param name="message">The full explanation.</param>
    /// <param name="innerException">The underlying error, or null.</param>
    public MnistDownloadException(string message, Exception? innerException)
        : this(message, string.Empty, string.Empty, [], innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full explanation.</param>
    /// <param name="directory">The folder the files were to be downloaded into.</param>
    /// <param name="fileName">The file that could not be downloaded.</param>
    /// <param name="failures">One line per attempt: the address and why it failed.</param>
    /// <param name="innerException">The underlying error, if there is a single one.</param>
    public MnistDownloadException(string message, string directory, string fileName, IReadOnlyList<string> failures, Exception? innerException = null)
        : base(message, innerException)
    {
        DirectoryPath = directory;
        FileName = fileName;
        Failures = failures;
    }

    /// <summary>The folder the files were to be downloaded into (where to put them by hand).</summary>
    public string DirectoryPath { get; }

    /// <summary>The file that could not be downloaded.</summary>
    public string FileName { get; }

    /// <summary>One line per attempt, in mirror order: the address and why it failed.</summary>
    public IReadOnlyList<string> Failures { get; }
}
