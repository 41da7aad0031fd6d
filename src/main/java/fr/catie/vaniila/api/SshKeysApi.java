package fr.catie.vaniila.api;

import java.util.List;

import fr.catie.vaniila.ssh.SshKey;
import fr.catie.vaniila.ssh.SshKeyId;
import fr.catie.vaniila.ssh.SshKeys;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST adapter for the caller's SSH public keys: {@code POST}, {@code GET}, {@code DELETE /api/v1/ssh-keys}. */
@RestController
@RequestMapping("/api/v1/ssh-keys")
public class SshKeysApi {

    /** The body of a new key: one line of authorized_keys form. */
    public record NewKey(String publicKey) {
    }

    private final SshKeys keys;

    public SshKeysApi(SshKeys keys) {
        this.keys = keys;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public SshKey add(@RequestBody NewKey body) {
        return keys.add(CurrentCaller.get(), body == null ? null : body.publicKey());
    }

    @GetMapping
    public List<SshKey> list() {
        return keys.list(CurrentCaller.get());
    }

    @GetMapping("/{id}")
    public SshKey get(@PathVariable long id) {
        return keys.get(CurrentCaller.get(), new SshKeyId(id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(@PathVariable long id) {
        keys.delete(CurrentCaller.get(), new SshKeyId(id));
    }
}
