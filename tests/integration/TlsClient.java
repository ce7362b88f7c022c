// A TLS client with the card's key through SunPKCS11, the JDK's own TLS (JSSE)
// and its default signature schemes: one HTTPS request, the protocol and the
// page on standard output.  Run as a single-file program (java TlsClient.java).
//   args: SUNPKCS11-CONFIG PIN PORT SERVER-CA-PEM
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TlsClient {
	public static void main(String[] args) throws Exception {
		Provider p11 = Security.getProvider("SunPKCS11").configure(args[0]);
		Security.addProvider(p11);
		KeyStore card = KeyStore.getInstance("PKCS11", p11);
		card.load(null, args[1].toCharArray());
		KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
		kmf.init(card, args[1].toCharArray());
		KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
		trust.load(null, null);
		try (FileInputStream in = new FileInputStream(args[3])) {
			trust.setCertificateEntry("server-ca",
					CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
		tmf.init(trust);
		SSLContext tls = SSLContext.getInstance("TLS");
		tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
		try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("localhost",
				Integer.parseInt(args[2]))) {
			s.startHandshake();
			System.out.println("protocol: " + s.getSession().getProtocol());
			OutputStream out = s.getOutputStream();
			out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			BufferedReader r = new BufferedReader(
					new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
			for (String line; (line = r.readLine()) != null;)
				System.out.println(line);
		}
	}
}
