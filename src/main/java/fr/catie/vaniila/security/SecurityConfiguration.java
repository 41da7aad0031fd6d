package fr.catie.vaniila.security;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.ApiTokens;
import fr.catie.vaniila.identity.LoginThrottle;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Two ways in over HTTP. The API ({@code /api/**}, {@code /actuator/**}) is stateless and takes
 * bearer tokens; CSRF does not apply since no cookie authenticates it. The web workspace uses
 * form login with a session (fixation protection: a new session id at login), CSRF tokens on
 * every form, and a strict content security policy.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    /** The policy of every page; a page that needs more adds to it, never replaces it. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
            + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    @Bean
    AuthenticationManager authenticationManager(AccountUserDetailsService users, PasswordEncoder encoder,
            LoginThrottle throttle, AuditLog audit, Accounts accounts) {
        DaoAuthenticationProvider dao = new DaoAuthenticationProvider(users);
        dao.setPasswordEncoder(encoder);
        // Tell "unknown user" and "wrong password" apart nowhere: both are bad credentials.
        dao.setHideUserNotFoundExceptions(true);
        return new ProviderManager(new ThrottledAuthenticationProvider(dao, throttle, audit, accounts));
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiChain(HttpSecurity http, ApiTokens tokens, Accounts accounts) throws Exception {
        http.securityMatcher("/api/**", "/actuator/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .addFilterBefore(new BearerTokenFilter(tokens, accounts), UsernamePasswordAuthenticationFilter.class)
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(HttpMethod.POST, "/api/v1/auth/token").permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/actuator/**").hasRole("PLATFORM_ADMIN")
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> ProblemWriter.write(res, 401, "Unauthorized",
                                "Authentication required: send 'Authorization: Bearer <token>' "
                                        + "(get a token with POST /api/v1/auth/token).", req.getRequestURI()))
                        .accessDeniedHandler((req, res, ex) -> ProblemWriter.write(res, 403, "Forbidden",
                                "Your role does not allow this request.", req.getRequestURI())));
        return http.build();
    }

    /** The request attribute (and error-page variable) that marks a request the firewall refused. */
    static final String ADDRESS_REFUSED = "addressRefused";

    /**
     * A request the firewall refuses ('..', '//', ';', a backslash, an encoded '%' in the path) says why and what to
     * change instead of a bare 400: problem details for the API, the error page for a browser.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (request, response, rejected) -> {
            String uri = request.getRequestURI();
            if (uri.startsWith("/api/")) {
                ProblemWriter.write(response, 400, "Bad Request", "The portal refuses this address: its path holds "
                        + "'..', '//', ';', a backslash or an encoded character such as '%25'. Remove it from the "
                        + "path; a file's path goes in the 'path' query parameter, a job id alone after /jobs/.",
                        uri);
            } else {
                // Only these 400s are about the address: the error page says so when it finds this attribute.
                request.setAttribute(ADDRESS_REFUSED, Boolean.TRUE);
                response.sendError(400);
            }
        };
    }

    /**
     * Tomcat itself answers a bare 400 page to an encoded '/' or '\\' in a path, before the firewall above could say
     * why: it lets them through, encoded, to the firewall, which refuses them the same way as '..' or '//'. Never
     * decoded, they cannot reach a controller as a separator.
     */
    @Bean
    org.springframework.boot.tomcat.TomcatConnectorCustomizer encodedSeparatorsReachTheFirewall() {
        return connector -> {
            connector.setEncodedSolidusHandling("passthrough");
            connector.setEncodedReverseSolidusHandling("passthrough");
        };
    }

    @Bean
    @Order(2)
    SecurityFilterChain agentChain(HttpSecurity http, fr.catie.vaniila.gateway.NodeTokens nodeTokens) throws Exception {
        http.securityMatcher("/agent/**")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .addFilterBefore(new fr.catie.vaniila.gateway.NodeTokenFilter(nodeTokens),
                        UsernamePasswordAuthenticationFilter.class)
                .authorizeHttpRequests(auth -> auth.anyRequest().hasRole("AGENT"));
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain webChain(HttpSecurity http, AuthenticationManager passwords) throws Exception {
        // Explicit, so that form login goes through the throttled provider and not a default one.
        http.authenticationManager(passwords)
                .authorizeHttpRequests(auth -> auth
                        // An async dispatch only finishes a response whose request was authorized when it came in;
                        // a live log ended by logout would otherwise be refused halfway and cut off mid-stream.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
                        .requestMatchers("/login", "/css/**", "/js/**", "/vendor/**", "/img/**", "/favicon.ico",
                                "/error")
                        .permitAll()
                        .requestMatchers("/admin/**").hasRole("ORG_ADMIN")
                        .anyRequest().authenticated())
                .formLogin(form -> form.loginPage("/login").defaultSuccessUrl("/", false).failureUrl("/login?error")
                        .permitAll())
                .logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl("/login?logout"))
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
                .headers(h -> h
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }
}
