import { Injectable } from "@nestjs/common";
import { HttpService } from "@nestjs/axios";
import { firstValueFrom } from "rxjs";

@Injectable()
export class WebhooksService {
  constructor(private readonly http: HttpService) {}

  async ping(url: string) {
    const response = await firstValueFrom(this.http.post(url, { ping: true }));
    return response.status;
  }
}
