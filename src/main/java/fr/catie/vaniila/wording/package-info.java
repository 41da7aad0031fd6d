/**
 * The sentences the portal says to users, as data: a {@link fr.catie.vaniila.wording.Wording} declares one
 * sentence (its bundle key and its English), a {@link fr.catie.vaniila.wording.Phrase} is that sentence with its
 * arguments. Modules and the pure scheduler core build phrases; the REST API and SSH print their English, the web
 * pages look their key up in the user's language. No framework import, so that the scheduler core may use it.
 */
package fr.catie.vaniila.wording;
