package fr.catie.vaniila.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splitting and option parsing of the command lines users type, the way a POSIX shell and
 * Slurm's getopt_long do it: words separated by blanks, single and double quotes, backslash
 * escapes; {@code --name=value}, {@code --name value}, {@code -x value} and {@code -xvalue}. Pure
 * functions; thread-safe.
 */
public final class CommandLine {

    private CommandLine() {
    }

    /** A mistake in a command line, with the message to print and Slurm's usage hint. */
    public static final class UsageError extends RuntimeException {
        public UsageError(String message) {
            super(message);
        }
    }

    /** Splits a line into words; an unterminated quote is a usage error. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()
                        && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new UsageError("unterminated " + (quote == '"' ? "double" : "single") + " quote: close it with " + quote);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The options a command knows. Each spec is {@code long|s} for a flag or {@code long|s:} for an
     * option taking a value; the short letter is optional ({@code parsable}, {@code gres:}).
     */
    public record Spec(String command, Map<String, Boolean> takesValue, Map<Character, String> shortNames) {

        public static Spec of(String command, String... specs) {
            Map<String, Boolean> takes = new LinkedHashMap<>();
            Map<Character, String> shorts = new LinkedHashMap<>();
            for (String s : specs) {
                boolean value = s.endsWith(":");
                String body = value ? s.substring(0, s.length() - 1) : s;
                String[] parts = body.split("\\|");
                takes.put(parts[0], value);
                if (parts.length > 1) {
                    shorts.put(parts[1].charAt(0), parts[0]);
                }
            }
            return new Spec(command, Map.copyOf(takes), Map.copyOf(shorts));
        }

        /**
         * Parses words into options (long name to values, in order) and positional words. Parsing stops
         * at the first positional word when {@code stopAtPositional} (sbatch: what follows a script are its
         * arguments) or at {@code --}.
         */
        public Parsed parse(List<String> words, boolean stopAtPositional) {
            Map<String, List<String>> options = new LinkedHashMap<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                if (w.equals("--")) {
                    positional.addAll(words.subList(i + 1, words.size()));
                    break;
                }
                if (w.startsWith("--")) {
                    int eq = w.indexOf('=');
                    String name = eq < 0 ? w.substring(2) : w.substring(2, eq);
                    Boolean value = takesValue.get(name);
                    if (value == null) {
                        throw new UsageError(command + ": unrecognized option '" + (eq < 0 ? w : w.substring(0, eq))
                                + "'\nTry \"" + command + " --help\" for more information");
                    }
                    if (value) {
                        String v;
                        if (eq >= 0) {
                            v = w.substring(eq + 1);
                        } else if (i + 1 < words.size()) {
                            v = words.get(++i);
                        } else {
                            throw new UsageError(command + ": option '--" + name + "' requires an argument\nTry \""
                                    + command + " --help\" for more information");
                        }
                        options.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
                    } else {
                        if (eq >= 0) {
                            throw new UsageError(command + ": option '--" + name + "' doesn't allow an argument");
                        }
                        options.computeIfAbsent(name, k -> new ArrayList<>()).add("");
                    }
                } else if (w.startsWith("-") && w.length() > 1) {
                    for (int k = 1; k < w.length(); k++) {
                        char c = w.charAt(k);
                        String name = shortNames.get(c);
                        if (name == null) {
                            throw new UsageError(command + ": invalid option -- '" + c + "'\nTry \"" + command
                                    + " --help\" for more information");
                        }
                        if (takesValue.get(name)) {
                            String v;
                            if (k + 1 < w.length()) {
                                v = w.substring(k + 1);
                            } else if (i + 1 < words.size()) {
                                v = words.get(++i);
                            } else {
                                throw new UsageError(command + ": option requires an argument -- '" + c + "'\nTry \""
                                        + command + " --help\" for more information");
                            }
                            options.computeIfAbsent(name, x -> new ArrayList<>()).add(v);
                            break;
                        }
                        options.computeIfAbsent(name, x -> new ArrayList<>()).add("");
                    }
                } else {
                    positional.add(w);
                    if (stopAtPositional) {
                        positional.addAll(words.subList(i + 1, words.size()));
                        break;
                    }
                }
            }
            return new Parsed(options, positional);
        }
    }

    /** Parsed options: the last value of an option wins, as in Slurm. */
    public record Parsed(Map<String, List<String>> options, List<String> positional) {

        public boolean has(String name) {
            return options.containsKey(name);
        }

        /** The last value given, or null. */
        public String value(String name) {
            List<String> v = options.get(name);
            return v == null ? null : v.get(v.size() - 1);
        }

        /** Every value given, in order (for options that may repeat, e.g. {@code -j 1 -j 2}). */
        public List<String> values(String name) {
            return options.getOrDefault(name, List.of());
        }
    }
}
