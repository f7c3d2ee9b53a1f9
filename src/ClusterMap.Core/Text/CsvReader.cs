using System.Globalization;
using System.Text;

namespace ClusterMap.Core.Text;

/// <summary>Why a CSV stream could not be read past a point.</summary>
public enum CsvErrorKind
{
    /// <summary>A quoted field is still open at the end of the stream.</summary>
    UnclosedQuote,

    /// <summary>A field or record is longer than the reader's limit: not a CSV file, or a quote left open.</summary>
    TooLong,

    /// <summary>A NUL character: binary data, not text.</summary>
    Binary,

    /// <summary>A byte sequence the stream's encoding cannot decode (seen as U+FFFD from a replacement fallback).</summary>
    Undecodable,
}

/// <summary>Thrown by <see cref="CsvReader"/> with the line where reading stopped.</summary>
public sealed class CsvFormatException(CsvErrorKind kind, int line, string reason)
    : Exception(string.Create(CultureInfo.InvariantCulture, $"line {line}: {reason}"))
{
    public CsvErrorKind Kind { get; } = kind;

    public int Line { get; } = line;

    public string Reason { get; } = reason;
}

/// <summary>One CSV record and the line it starts on (a quoted field may span lines).</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Cells);

/// <summary>
/// ClusterMap's one CSV reader (RFC 4180: comma-separated, double quotes, doubled quotes inside them, line breaks
/// inside quotes, CRLF or LF). It streams record by record from a <see cref="TextReader"/>, so a file of any size
/// is read in bounded memory: a field or record over the limit stops reading with the line, instead of filling
/// memory with a file that is not CSV. Hand-written rather than a package because Core depends on
/// NetTopologySuite only, and the importers need exact line numbers and these limits.
/// </summary>
public sealed class CsvReader(TextReader reader, int maxRecordChars = CsvReader.DefaultMaxRecordChars)
{
    /// <summary>16 Mi characters: a polygon with hundreds of thousands of vertices in WKT still fits.</summary>
    public const int DefaultMaxRecordChars = 16 * 1024 * 1024;

    private readonly char[] _buffer = new char[64 * 1024];
    private int _length;
    private int _position;
    private int _line = 1;
    private bool _first = true;

    /// <summary>Reads the next record, or returns null at the end of the stream.</summary>
    public CsvRecord? Read()
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var recordChars = 0;
        var startLine = _line;
        var quoted = false;
        var quoteLine = 0;
        var any = false;
        while (true)
        {
            if (_position == _length && !Fill())
            {
                if (quoted)
                {
                    throw new CsvFormatException(CsvErrorKind.UnclosedQuote, quoteLine, "a quoted field is never closed (truncated file?)");
                }

                if (!any)
                {
                    return null;
                }

                cells.Add(cell.ToString());
                return new CsvRecord(startLine, cells);
            }

            var c = _buffer[_position++];
            any = true;
            if (++recordChars > maxRecordChars)
            {
                throw new CsvFormatException(CsvErrorKind.TooLong, quoted ? quoteLine : startLine, string.Create(CultureInfo.InvariantCulture,
                    $"a record longer than {maxRecordChars} characters{(quoted ? " inside a quoted field that is never closed" : "")}: this is not a CSV file of features"));
            }

            if (c == '\0')
            {
                throw new CsvFormatException(CsvErrorKind.Binary, _line, "contains a NUL byte: this is binary data, not a CSV text file");
            }

            if (c == '\uFFFD')
            {
                throw new CsvFormatException(CsvErrorKind.Undecodable, _line, "a byte sequence that is not valid in the file's encoding");
            }

            if (quoted)
            {
                if (c == '"')
                {
                    if (Peek() == '"')
                    {
                        cell.Append('"');
                        _position++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when cell.Length == 0:
                    quoted = true;
                    quoteLine = _line;
                    break;
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    _line++;
                    cells.Add(cell.ToString());
                    return new CsvRecord(startLine, cells);
                default:
                    cell.Append(c);
                    break;
            }
        }
    }

    /// <summary>Every record, lazily.</summary>
    public IEnumerable<CsvRecord> ReadAll()
    {
        while (Read() is { } record)
        {
            yield return record;
        }
    }

    private int Peek()
    {
        if (_position == _length && !Fill())
        {
            return -1;
        }

        return _buffer[_position];
    }

    private bool Fill()
    {
        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        if (_first && _length > 0)
        {
            _first = false;
            if (_buffer[0] == '\uFEFF')
            {
                // A byte-order mark that the decoder left in place (spreadsheets write one).
                _position = 1;
            }
        }

        return _length > _position;
    }
}
