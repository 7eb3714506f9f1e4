using System.Text;

namespace IdentitySharing.Testing.Grpc;

/// <summary>
/// Shell word splitting for the commands the README prints (blanks, single and double quotes),
/// so that tests run those commands as a shell would read them.
/// </summary>
public static class ShellWords
{
    public static List<string> Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var character in line)
        {
            if (quote is not null)
            {
                if (character == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(character);
                }
            }
            else if (character is '\'' or '"')
            {
                quote = character;
                inWord = true;
            }
            else if (char.IsWhiteSpace(character))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(character);
                inWord = true;
            }
        }
        if (quote is not null)
        {
            throw new InvalidOperationException($"Unbalanced quote in command: {line}");
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }
}
