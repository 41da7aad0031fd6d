package fr.catie.vaniila.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import fr.catie.vaniila.identity.Account;
import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.ApiTokens;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Organisation;
import fr.catie.vaniila.identity.Organisations;
import fr.catie.vaniila.identity.PasswordLogins;
import fr.catie.vaniila.platform.Problem;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST adapter for identity: tokens, the caller, organisations and accounts. Thin: the module APIs decide. */
@RestController
@RequestMapping("/api/v1")
public class IdentityApi {

    /** {@code POST /auth/token} body. {@code expiresInDays} defaults to 30; 0 means no expiry. */
    public record TokenRequest(String username, String password, String name, Integer expiresInDays) {
    }

    /** {@code POST /tokens} body. */
    public record NewToken(String name, Instant expiresAt, Integer expiresInDays) {
    }

    public record NewOrganisation(String name) {
    }

    /** {@code PATCH /users/{username}} body: any of the fields. */
    public record AccountChange(Boolean enabled, String role, String password) {
    }

    public record Me(String username, String organisation, String role, int uid) {
    }

    public record UserView(String username, String organisation, String role, boolean enabled, int uid, Instant createdAt) {
        static UserView of(Account a) {
            return new UserView(a.username(), a.organisation(), a.role().name(), a.enabled(), a.uid(), a.createdAt());
        }
    }

    public record OrganisationView(String name, Instant createdAt, int members) {
        static OrganisationView of(Organisation o) {
            return new OrganisationView(o.name(), o.createdAt(), o.members());
        }
    }

    private final PasswordLogins logins;
    private final ApiTokens tokens;
    private final Accounts accounts;
    private final Organisations organisations;

    public IdentityApi(PasswordLogins logins, ApiTokens tokens, Accounts accounts, Organisations organisations) {
        this.logins = logins;
        this.tokens = tokens;
        this.accounts = accounts;
        this.organisations = organisations;
    }

    @PostMapping("/auth/token")
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> token(@RequestBody TokenRequest request, HttpServletRequest http) {
        if (request.username() == null || request.username().isBlank() || request.password() == null) {
            throw Problem.invalid("Send {\"username\": ..., \"password\": ...}.");
        }
        Caller caller = logins.login(request.username(), request.password(), http.getRemoteAddr(), "api");
        int days = request.expiresInDays() == null ? 30 : request.expiresInDays();
        if (days < 0 || days > 3650) {
            throw Problem.invalid("expiresInDays", "expiresInDays must be between 0 (no expiry) and 3650.");
        }
        Instant expiry = days == 0 ? null : Instant.now().plus(days, ChronoUnit.DAYS);
        ApiTokens.CreatedToken created = tokens.create(caller, request.name() == null ? "api login" : request.name(), expiry);
        return ApiExceptionHandler.body("token", created.token(), "id", created.info().id(), "expiresAt",
                created.info().expiresAt());
    }

    @GetMapping("/me")
    public Me me() {
        Caller c = CurrentCaller.get();
        return new Me(c.username(), c.organisation(), c.role().name(), c.uid());
    }

    @PostMapping("/tokens")
    @ResponseStatus(HttpStatus.CREATED)
    public Map<String, Object> createToken(@RequestBody(required = false) NewToken request) {
        NewToken r = request == null ? new NewToken(null, null, null) : request;
        Instant expiry = r.expiresAt();
        if (expiry == null && r.expiresInDays() != null) {
            if (r.expiresInDays() <= 0 || r.expiresInDays() > 3650) {
                throw Problem.invalid("expiresInDays", "expiresInDays must be between 1 and 3650; leave it out for no expiry.");
            }
            expiry = Instant.now().plus(r.expiresInDays(), ChronoUnit.DAYS);
        }
        ApiTokens.CreatedToken created = tokens.create(CurrentCaller.get(), r.name(), expiry);
        return ApiExceptionHandler.body("token", created.token(), "id", created.info().id(), "name",
                created.info().name(), "expiresAt", created.info().expiresAt());
    }

    @GetMapping("/tokens")
    public List<ApiTokens.TokenInfo> listTokens() {
        return tokens.list(CurrentCaller.get());
    }

    @DeleteMapping("/tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revokeToken(@PathVariable long id) {
        tokens.revoke(CurrentCaller.get(), id);
    }

    @PostMapping("/organisations")
    @ResponseStatus(HttpStatus.CREATED)
    public OrganisationView createOrganisation(@RequestBody NewOrganisation request) {
        return OrganisationView.of(organisations.create(CurrentCaller.get(), request.name()));
    }

    @GetMapping("/organisations")
    public List<OrganisationView> listOrganisations() {
        return organisations.list(CurrentCaller.get()).stream().map(OrganisationView::of).toList();
    }

    @GetMapping("/organisations/{name}")
    public OrganisationView organisation(@PathVariable String name) {
        return OrganisationView.of(organisations.get(CurrentCaller.get(), name));
    }

    @PostMapping("/users")
    @ResponseStatus(HttpStatus.CREATED)
    public UserView createUser(@RequestBody Accounts.NewAccount request) {
        return UserView.of(accounts.create(CurrentCaller.get(), request));
    }

    @GetMapping("/users")
    public List<UserView> listUsers(@RequestParam(required = false) String organisation) {
        return accounts.list(CurrentCaller.get(), organisation).stream().map(UserView::of).toList();
    }

    @GetMapping("/users/{username}")
    public UserView user(@PathVariable String username) {
        return UserView.of(accounts.get(CurrentCaller.get(), username));
    }

    @PatchMapping("/users/{username}")
    public UserView changeUser(@PathVariable String username, @RequestBody AccountChange change) {
        Caller caller = CurrentCaller.get();
        if (change.enabled() == null && change.role() == null && change.password() == null) {
            throw Problem.invalid("Send at least one of 'enabled', 'role', 'password'.");
        }
        Account result = accounts.update(caller, username, change.enabled(), change.role(), change.password());
        return UserView.of(result);
    }

    @PostMapping("/users/{username}/disable")
    public UserView disable(@PathVariable String username) {
        return UserView.of(accounts.setEnabled(CurrentCaller.get(), username, false));
    }

    @PostMapping("/users/{username}/enable")
    public UserView enable(@PathVariable String username) {
        return UserView.of(accounts.setEnabled(CurrentCaller.get(), username, true));
    }
}
